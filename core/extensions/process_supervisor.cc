#include "core/extensions/process_supervisor.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "core/base/failpoint.h"
#include "core/extensions/spawn_report.h"

namespace goose {
namespace {

// ---- Child side: async-signal-safe calls only from here to execve. ----

[[noreturn]] void ReportAndExit(int report_fd, SpawnStage stage, int error) {
  SpawnReport report;
  report.stage = static_cast<int32_t>(stage);
  report.error = error;
  (void)!::write(report_fd, &report, sizeof report);
  ::_exit(kSpawnFailedExitCode);
}

// Returns a close-on-exec duplicate of `fd` numbered 10 or more, so the
// dup2 calls onto 0..3 below cannot overwrite a descriptor still needed.
int MoveHigh(int fd) { return ::fcntl(fd, F_DUPFD_CLOEXEC, 10); }

[[noreturn]] void RunChild(const ExecSpec& spec, pid_t server_pid) {
  int report = MoveHigh(spec.report_fd);
  if (report < 0) ::_exit(kSpawnFailedExitCode);
  if (::setpgid(0, 0) != 0) ReportAndExit(report, SpawnStage::kProcessGroup, errno);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
    ReportAndExit(report, SpawnStage::kParentDeathSignal, errno);
  // The server may have died between fork and prctl: then no signal comes,
  // and we are already someone else's child.
  if (::getppid() != server_pid) ::_exit(kSpawnFailedExitCode);

  int in = MoveHigh(spec.stdin_fd);
  int out = MoveHigh(spec.stdout_fd);
  int err = MoveHigh(spec.stderr_fd);
  if (in < 0 || out < 0 || err < 0) ReportAndExit(report, SpawnStage::kFileDescriptors, errno);
  // dup2 clears close-on-exec on the new descriptor.
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
    ReportAndExit(report, SpawnStage::kFileDescriptors, errno);
  unsigned first_closed = 3;
  if (spec.report_fd_as_3) {
    if (::dup2(report, 3) < 0) ReportAndExit(report, SpawnStage::kFileDescriptors, errno);
    first_closed = 4;
  }
  // Whatever else the server has open (sockets of other libraries, fds of
  // other spawns in flight) must not reach the child. Older kernels lack
  // close_range; every fd of ours is close-on-exec anyway.
  (void)::syscall(SYS_close_range, first_closed, ~0U, CLOSE_RANGE_CLOEXEC);

  // Ignored signals stay ignored across exec; handled ones reset anyway.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    (void)::sigaction(sig, &sa, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  (void)::sigprocmask(SIG_SETMASK, &empty, nullptr);

  if (spec.working_dir != nullptr && ::chdir(spec.working_dir) != 0)
    ReportAndExit(report, SpawnStage::kWorkingDirectory, errno);
  ::execve(spec.path, spec.argv, spec.envp);
  ReportAndExit(report, SpawnStage::kExec, errno);
}

}  // namespace

struct ProcessSupervisor::Job {
  const ExecSpec* spec = nullptr;
  pid_t server_pid = 0;
  bool done = false;
  pid_t pid = -1;
  UniqueFd pidfd;
  int error = 0;
  const char* failed_call = nullptr;
};

ProcessSupervisor& ProcessSupervisor::Global() {
  // Never destroyed: the thread must outlive every child (see the header).
  static ProcessSupervisor* const supervisor = new ProcessSupervisor();
  return *supervisor;
}

ProcessSupervisor::ProcessSupervisor() {
  // The spawner thread inherits a full signal mask: process-directed signals
  // go to the server's other threads, never interrupt a fork.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void ProcessSupervisor::Run(std::stop_token stop) {
  for (;;) {
    Job* job = nullptr;
    {
      MutexLock lock(mu_);
      while (queue_.empty()) {
        if (stop.stop_requested()) return;
        cv_.wait(mu_);
      }
      job = queue_.front();
      queue_.pop_front();
    }
    // vfork: see the header. The child never returns from RunChild.
    pid_t pid = FailpointOn(Failpoint::kForkSpawn) ? ::fork() : ::vfork();
    if (pid == 0) RunChild(*job->spec, job->server_pid);
    if (pid < 0) {
      job->error = errno;
      job->failed_call = "fork";
    } else {
      int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
      if (pidfd < 0) {
        job->error = errno;
        job->failed_call = "pidfd_open";
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      } else {
        job->pid = pid;
        job->pidfd.Reset(pidfd);
      }
    }
    {
      MutexLock lock(mu_);
      job->done = true;
    }
    cv_.notify_all();
  }
}

Result<ForkedChild> ProcessSupervisor::Fork(const ExecSpec& spec) {
  Job job;
  job.spec = &spec;
  job.server_pid = ::getpid();
  {
    MutexLock lock(mu_);
    queue_.push_back(&job);
  }
  cv_.notify_all();
  {
    MutexLock lock(mu_);
    while (!job.done) cv_.wait(mu_);
  }
  if (job.failed_call != nullptr) {
    return Status(StatusCode::kResourceExhausted, std::string("cannot start a child process: ") +
                                                      job.failed_call + ": " +
                                                      std::generic_category().message(job.error));
  }
  ForkedChild child;
  child.pid = job.pid;
  child.pidfd = std::move(job.pidfd);
  return child;
}

}  // namespace goose
