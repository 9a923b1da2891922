// ProcessSupervisor: the one thread that forks every child of the server.
//
// Why a thread of its own: PR_SET_PDEATHSIG, which kills a child when the
// server dies, fires on the death of the *thread* that forked the child,
// not of the process (prctl(2)). A child forked by an HTTP worker would be
// killed the moment that worker exits, and one forked by a short-lived
// thread would die at random. So every fork runs on a single spawner
// thread that is created on first use, with all signals blocked, and lives
// until the process ends: the parent-death signal then fires exactly when
// the server process dies, however it dies (exit, crash, SIGKILL).
//
// The supervisor only forks. Reaping stays with each ChildProcess, through
// the pidfd returned here (waitid(P_PIDFD)); nothing in the server calls
// waitpid(-1) or wait(), and the server is not a child subreaper, so no
// second party can reap (and recycle) a pid a ChildProcess still owns.
// Orphaned grandchildren are caught by goose-ext-shim, a subreaper per
// extension (see child_process.h).
//
// The child is made with vfork(): it borrows the server's memory until its
// execve, so nothing of the server (its page tables, hundreds of MB of
// them in a big process) is copied, and no page the server writes
// afterwards takes a copy-on-write fault; the spawner thread waits for the
// exec, the rest of the server runs on (the failpoint fork_spawn puts
// fork() back, for the benchmark gate). That is why the child side runs
// only async-signal-safe calls, writes no memory but its own stack, and
// never returns, in this order: setpgid(0, 0) (own process group); prctl(PR_SET_PDEATHSIG,
// SIGKILL); getppid() against the server's pid recorded before the fork
// (the server may already be dead, and then no signal will come); dup2 of
// the pipes onto 0, 1, 2 (and the report pipe onto 3 for the shim);
// close_range(CLOSE_RANGE_CLOEXEC) so no other fd of the server leaks into
// the child; signal dispositions back to default and an empty signal mask;
// chdir; execve. A failing step writes a SpawnReport to the close-on-exec
// report pipe and exits 127.
//
// The object is created on first use and never destroyed (like the
// ledger), so Fork() is valid until the process exits.

#ifndef GOOSE_CORE_EXTENSIONS_PROCESS_SUPERVISOR_H_
#define GOOSE_CORE_EXTENSIONS_PROCESS_SUPERVISOR_H_

#include <sys/types.h>

#include <deque>
#include <thread>

#include "core/base/status.h"
#include "core/base/thread_annotations.h"
#include "core/base/unique_fd.h"

namespace goose {

// Everything the child side needs, prepared by the caller before the fork
// so the child allocates nothing. Pointers must stay valid during Fork().
struct ExecSpec {
  const char* path = nullptr;         // executable to run, already resolved
  char* const* argv = nullptr;        // null-terminated
  char* const* envp = nullptr;        // null-terminated
  const char* working_dir = nullptr;  // null: inherit the server's
  int stdin_fd = -1;                  // the child's ends of its pipes
  int stdout_fd = -1;
  int stderr_fd = -1;
  int report_fd = -1;           // close-on-exec write end of the report pipe
  bool report_fd_as_3 = false;  // also pass it as fd 3, kept across exec (the shim)
};

struct ForkedChild {
  pid_t pid = -1;
  UniqueFd pidfd;  // for poll (readable once exited), signals and waitid
};

class ProcessSupervisor {
 public:
  // The process-wide supervisor; starts its thread on first call.
  static ProcessSupervisor& Global();

  ProcessSupervisor(const ProcessSupervisor&) = delete;
  ProcessSupervisor& operator=(const ProcessSupervisor&) = delete;

  // Forks on the spawner thread; the child runs `spec` as described above.
  // Returns once the fork is done (not once exec is): the caller reads the
  // report pipe. Errors: fork or pidfd_open failed (no child is left).
  // Thread-safe; forks are serialised.
  Result<ForkedChild> Fork(const ExecSpec& spec);

 private:
  struct Job;
  ProcessSupervisor();
  void Run(std::stop_token stop);

  Mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Job*> queue_ GUARDED_BY(mu_);
  std::jthread thread_;  // last: starts after the queue exists
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_PROCESS_SUPERVISOR_H_
