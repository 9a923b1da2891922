// ChildProcess: the one owner of a child process and of everything it starts.
//
// An extension is a program the server runs with pipes on its stdin,
// stdout and stderr. No such program, and no process it starts, may outlive
// its owner: not after Stop(), not after the owner is destroyed for any
// other reason, and (under the shim, the default) not after the server
// itself is killed with SIGKILL.
//
// Spawn. The command runs without a shell (argv, resolved through PATH here
// before the fork), with the server's environment (all of it, or only the
// names SpawnOptions::inherit_only lists) plus `env_additions`, in
// a process group of its own, with a parent-death signal, and with
// close-on-exec pipes. Every fork happens on the process-wide spawner
// thread (process_supervisor.h explains why: PR_SET_PDEATHSIG follows the
// forking *thread*). A failure to start is an error value, e.g.
// "cannot run foo: No such file or directory", not a child that exits 127.
//
// Supervision. By default the command runs under goose-ext-shim, a tiny
// supervisor of ours exec'd in its place (shim_main.cc). The shim is a
// child subreaper with a parent-death signal: every orphaned descendant of
// the command, even one that called setsid() or double-forked, re-parents
// to the shim instead of init. When the command exits, when the shim is
// told to stop, or when the server dies (its parent-death signal), the
// shim SIGKILLs every descendant it has and reaps them until none is left,
// then exits with the command's status (a signal is re-raised). So the
// pid this class owns is the shim's, and "the shim has exited" means "the
// whole tree is gone". The command has SIGKILL as its own parent-death
// signal, so a SIGKILLed shim takes the command with it (its grandchildren
// are then found by ChildProcess's /proc walk, unless the server died at
// the same moment). Supervision::kDirect runs the command itself: the
// same stop sequence applies, but a descendant in a new session survives a
// SIGKILL of the server (nothing is left to catch it), which a test shows.
//
// Stop. RequestStop() notes the child's descendants (from /proc) and closes
// stdin (MCP's own shutdown signal). AwaitStop() then waits a short while
// (a quarter of the grace, at most 250 ms) for the child to exit by itself,
// sends SIGTERM to the child's process group and to every descendant found
// in /proc (which covers descendants that left the group), waits until the
// deadline, SIGKILLs the descendants and the group, and reaps; whatever the
// notes name and is still alive is SIGKILLed at reaping, so a child that
// exits at once on EOF cannot strand its grandchildren. Group signals are sent
// only while the leader is unreaped, so the group id cannot have been
// recycled; single processes are signalled through pidfds checked against
// their start time (process_tree.h). The split into RequestStop and
// AwaitStop lets an owner of many children stop them in parallel: request
// all, then await all with one deadline.
//
// Crash. exit_fd() is a pidfd: it polls readable once the child exited, so
// a reader notices a crash even while a grandchild still holds the stdout
// pipe open. TryReap() then collects the status ("signal 9 (SIGKILL)").
// Reaping is this class's alone, through the pidfd (waitid(P_PIDFD)).
//
// Stderr is read by a thread of this object into a StderrLog: lines go to
// the server log (bounded and rate limited) and the last 64 KiB are kept
// for error messages.
//
// Ledger: Gauge::kChildProcesses counts the child from spawn until reaped.
//
// Failpoint leak_child (test builds): a child spawned while it is on runs
// without the shim and is stopped by signals to itself only (no group, no
// tree), re-creating the orphaned-grandchild bug for the gates' canaries.
//
// Thread safety: WriteStdin() from one thread at a time; RequestStop(),
// AwaitStop(), TryReap(), HasExited() and the stderr accessors from any
// thread. RequestStop() wakes a WriteStdin() blocked on a full pipe.

#ifndef GOOSE_CORE_EXTENSIONS_CHILD_PROCESS_H_
#define GOOSE_CORE_EXTENSIONS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/process_tree.h"
#include "core/base/resource_ledger.h"
#include "core/base/status.h"
#include "core/base/thread_annotations.h"
#include "core/base/unique_fd.h"
#include "core/extensions/stderr_log.h"
#include "core/extensions/wake_event.h"

namespace goose {

// How a child ended.
struct ExitStatus {
  int exit_code = 0;  // meaningful when signal == 0
  int signal = 0;     // the signal that ended it; 0 for a normal exit

  bool operator==(const ExitStatus&) const = default;
  // "exit code 3" or "signal 9 (SIGKILL)".
  std::string ToString() const;
};

enum class Supervision {
  kShim,    // under goose-ext-shim: no descendant escapes, even a SIGKILL of the server
  kDirect,  // the command itself is the child
};

// The variables a minimal child environment takes from the server's (see
// SpawnOptions::inherit_only): where programs are and whose they are, the
// locale (and LC_*), and the sanitizers' own settings. No keys.
inline constexpr const char* kMinimalEnvironment[] = {
    "PATH", "HOME",     "USER", "LOGNAME",      "SHELL",        "TMPDIR",       "TZ",
    "LANG", "LANGUAGE", "LC_*", "ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"};

struct SpawnOptions {
  std::string name;  // names the child in logs and errors; empty: argv[0]
  // nullopt: the child inherits the server's whole environment. Otherwise
  // only these names pass from it ("LC_*": every name with that prefix);
  // env_additions are added either way.
  std::optional<std::vector<std::string>> inherit_only;
  std::string working_dir;  // empty: the server's
  Supervision supervision = Supervision::kShim;
  std::string shim_path;  // empty: DefaultShimPath()
  // What the destructor allows a child that was not stopped before.
  std::chrono::milliseconds stop_grace{2000};
  // Reaping leaves what the child left in its process group running (the
  // owner watches what a program leaves behind and ends it itself, as
  // `leakcheck mcp` does). Only with Supervision::kDirect.
  bool leave_descendants = false;
  StderrLogOptions stderr_log;
};

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts `argv` (argv[0] is looked up in PATH, that of env_additions if
  // it sets one, unless it contains a '/'). Returns once the command was
  // exec'd. Errors: InvalidArgument for an empty argv, a command that
  // cannot be found or run, or a working directory that cannot be entered
  // ("cannot run <cmd>: <reason>"); ResourceExhausted/IoError when the OS
  // refuses pipes or a fork. No process is left behind on error.
  static Result<std::unique_ptr<ChildProcess>> Spawn(
      const std::vector<std::string>& argv, const std::map<std::string, std::string>& env_additions,
      const SpawnOptions& options = {});

  // Stops the child (options.stop_grace) unless it was stopped and reaped
  // already, then ends the stderr thread and closes every fd.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  // The direct child: goose-ext-shim under Supervision::kShim.
  pid_t pid() const { return pid_; }
  Supervision supervision() const { return supervision_; }

  // Read end of the child's stdout, non-blocking, owned here (valid until
  // destruction). One reader at a time.
  int stdout_fd() const { return stdout_.get(); }
  // A pidfd of the child: POLLIN once it has exited. Owned here.
  int exit_fd() const { return pidfd_.get(); }

  // Writes all of `bytes` to the child's stdin, waiting for room in the pipe
  // until `deadline`. Errors: Unavailable when stdin is closed or the child
  // closed its end (exited); DeadlineExceeded (part of `bytes` may have been
  // written); Cancelled when RequestStop() came while waiting. Never raises
  // SIGPIPE. `on_full`, when given, runs once before the first wait for
  // room in the pipe: a caller holding what the child's reader needs (so
  // that the child can drain its stdout and read on) lets go of it there.
  // It runs with this child's stdin lock held: it must not write to stdin
  // or take a lock held around writes.
  Status WriteStdin(std::string_view bytes, Clock::time_point deadline,
                    const std::function<void()>& on_full = nullptr);

  // True once the child has exited (reaped or not).
  bool HasExited() const;

  // Reaps the child if it has exited, without blocking; the status once
  // reaped (also on every later call), nullopt while it runs. Before
  // reaping, SIGKILLs whatever is left in its process group.
  std::optional<ExitStatus> TryReap();

  // Starts stopping: closes stdin and wakes a blocked WriteStdin().
  // Idempotent, never blocks.
  void RequestStop();

  // Finishes stopping (calls RequestStop() first): waits for an exit after
  // EOF, then SIGTERM, then SIGKILL at `deadline`, as described above, and
  // reaps. Returns how the child ended. Idempotent.
  ExitStatus AwaitStop(Clock::time_point deadline);

  // RequestStop() + AwaitStop(now + grace).
  ExitStatus Stop(std::chrono::milliseconds grace);

  // The last bytes of the child's stderr (see StderrLog).
  std::string StderrTail() const { return stderr_log_.Tail(); }
  // At most `max_bytes` of it, on one line, for error messages.
  std::string StderrShortTail(size_t max_bytes = 1024) const {
    return stderr_log_.ShortTail(max_bytes);
  }
  // Waits until the stderr pipe reached EOF (every writer exited) and its
  // last bytes are in the tail, or until `deadline`. True at EOF. Lets an
  // error message about an exited child quote the child's last words.
  bool WaitStderrClosed(Clock::time_point deadline);

 private:
  ChildProcess(std::string name, Supervision supervision, bool leak_child, pid_t pid,
               UniqueFd pidfd, UniqueFd stdin_fd, UniqueFd stdout_fd, UniqueFd stderr_fd,
               const SpawnOptions& options, LedgerEntry counted);

  bool WaitExit(Clock::time_point deadline) const;
  void AddToSnapshot(const std::vector<ProcessRef>& refs) REQUIRES(reap_mu_);
  void SignalTerm();
  void SignalKill();
  ExitStatus Reap();  // blocking; REQUIRES: the child exited or was SIGKILLed
  std::optional<ExitStatus> ReapLocked(bool block) REQUIRES(reap_mu_);
  void ReadStderr(std::stop_token stop);

  const std::string name_;
  const Supervision supervision_;
  const bool leak_child_;         // failpoint leak_child was on at spawn
  const bool leave_descendants_;  // SpawnOptions::leave_descendants
  const pid_t pid_;
  const std::chrono::milliseconds stop_grace_;
  UniqueFd pidfd_;
  UniqueFd stdout_;
  UniqueFd stderr_;

  WakeEvent stop_event_;  // signalled by RequestStop()
  std::atomic<bool> stop_requested_{false};
  std::atomic<Clock::rep> stop_started_{0};

  Mutex stdin_mu_;
  UniqueFd stdin_ GUARDED_BY(stdin_mu_);

  Mutex reap_mu_;
  bool reaped_ GUARDED_BY(reap_mu_) = false;
  ExitStatus status_ GUARDED_BY(reap_mu_);
  bool term_sent_ GUARDED_BY(reap_mu_) = false;
  // Descendants seen when stopping began and at SIGTERM: some may leave the
  // tree (their parent died) before SIGKILL, and must still get it.
  std::vector<ProcessRef> tree_snapshot_ GUARDED_BY(reap_mu_);
  LedgerEntry counted_ GUARDED_BY(reap_mu_);

  StderrLog stderr_log_;
  Mutex stderr_mu_;
  std::condition_variable_any stderr_cv_;
  bool stderr_closed_ GUARDED_BY(stderr_mu_) = false;
  WakeEvent stderr_wake_;
  std::jthread stderr_thread_;  // last: joined before the members above go
};

// goose-ext-shim in the directory of the running executable
// (/proc/self/exe), where the build and an install put it.
std::string DefaultShimPath();

// Looks `command` up like execvp would: as given when it contains '/',
// else in each directory of `path_var` (an empty entry is "."). Errors:
// InvalidArgument "cannot run <command>: No such file or directory" (or
// "Permission denied" when only non-executable files were found).
Result<std::string> ResolveCommand(const std::string& command, const std::string& path_var);

// The PATH a command is looked up in: that of `env_additions` when it sets
// one, else the server's, else "/usr/local/bin:/usr/bin:/bin".
std::string CommandSearchPath(const std::map<std::string, std::string>& env_additions);

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_CHILD_PROCESS_H_
