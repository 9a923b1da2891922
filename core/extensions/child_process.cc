#include "core/extensions/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/extensions/process_supervisor.h"
#include "core/extensions/spawn_report.h"

extern char** environ;  // NOLINT: POSIX

namespace goose {
namespace {

using Clock = ChildProcess::Clock;

// How long a child gets to exit on its own once stdin is closed, before
// SIGTERM: a quarter of the grace, at most this.
constexpr auto kMaxEofWait = std::chrono::milliseconds(250);
// How long the shim gets to reap its tree once its command was SIGKILLed,
// before it is SIGKILLed itself. It only waits for SIGKILLed processes.
constexpr auto kShimCleanupWait = std::chrono::seconds(2);
// Bytes of stderr read after a stop request before the reader gives up.
constexpr size_t kStderrDrainLimit = 1 << 20;

std::string ErrnoText(int error) { return std::generic_category().message(error); }

std::string SignalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "unknown";
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status(StatusCode::kResourceExhausted,
                  "cannot create a pipe for a child process: " + ErrnoText(errno));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// Blocks SIGPIPE in this thread for its lifetime, so that a write to a
// pipe whose reader is gone fails with EPIPE instead of raising it. That
// write leaves a SIGPIPE pending on this thread (it is thread-directed):
// ConsumeRaised() takes it before the mask is restored. Only a write that
// failed with EPIPE raised one, so the usual write costs two mask changes
// and nothing else.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~ScopedSigpipeBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

  // After a write failed with EPIPE. A thread that blocked SIGPIPE itself
  // before keeps what is pending: its signals are its own business.
  void ConsumeRaised() {
    if (sigismember(&old_, SIGPIPE) == 1) return;
    struct timespec zero = {0, 0};
    (void)::sigtimedwait(&set_, nullptr, &zero);
  }

 private:
  sigset_t set_;
  sigset_t old_;
};

int MillisUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  // Round up so a poll never returns just before the deadline and spins.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 24 * 3600 * 1000));
}

// Pointers into a vector of strings, null-terminated, for execve.
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool Inherits(std::string_view key, const std::optional<std::vector<std::string>>& only) {
  if (!only) return true;
  for (const std::string& name : *only) {
    if (!name.empty() && name.back() == '*') {
      if (key.substr(0, name.size() - 1) == std::string_view(name).substr(0, name.size() - 1))
        return true;
    } else if (key == name) {
      return true;
    }
  }
  return false;
}

// The server's environment as `only` filters it, then `additions` (under
// `prefix`, for a shim to pass on), each replacing an inherited entry of
// the same name.
std::vector<std::string> ChildEnvironment(const std::optional<std::vector<std::string>>& only,
                                          const std::map<std::string, std::string>& additions,
                                          std::string_view prefix) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const std::string_view key = entry.substr(0, entry.find('='));
    if (!Inherits(key, only)) continue;
    if (prefix.empty() && additions.count(std::string(key)) != 0) continue;
    if (key.substr(0, kShimEnvPrefix.size()) == kShimEnvPrefix) continue;
    env.emplace_back(entry);
  }
  for (const auto& [key, value] : additions) env.push_back(std::string(prefix) + key + "=" + value);
  return env;
}

}  // namespace

std::string CommandSearchPath(const std::map<std::string, std::string>& env_additions) {
  if (auto it = env_additions.find("PATH"); it != env_additions.end()) return it->second;
  if (const char* p = std::getenv("PATH"); p != nullptr) return p;  // NOLINT(concurrency-mt-unsafe)
  return "/usr/local/bin:/usr/bin:/bin";
}

namespace {

std::string StageText(SpawnStage stage) {
  switch (stage) {
    case SpawnStage::kProcessGroup:
      return "setting its process group failed";
    case SpawnStage::kParentDeathSignal:
      return "setting its parent-death signal failed";
    case SpawnStage::kFileDescriptors:
      return "setting up its pipes failed";
    case SpawnStage::kWorkingDirectory:
      return "cannot enter the working directory";
    case SpawnStage::kExec:
      return "";
    case SpawnStage::kShimSetup:
      return "goose-ext-shim could not set up";
    case SpawnStage::kShimFork:
      return "goose-ext-shim could not fork";
  }
  return "unknown step failed";
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (signal != 0) return "signal " + std::to_string(signal) + " (" + SignalName(signal) + ")";
  return "exit code " + std::to_string(exit_code);
}

std::string DefaultShimPath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "goose-ext-shim";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  return (slash == std::string::npos ? std::string(".") : exe.substr(0, slash)) + "/goose-ext-shim";
}

Result<std::string> ResolveCommand(const std::string& command, const std::string& path_var) {
  if (command.empty()) return InvalidArgument("cannot run an empty command");
  if (command.find('/') != std::string::npos) return command;
  bool denied = false;
  size_t start = 0;
  while (start <= path_var.size()) {
    size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + command;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      denied = true;
    }
    start = end + 1;
  }
  return InvalidArgument("cannot run " + command + ": " + ErrnoText(denied ? EACCES : ENOENT));
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env_additions,
    const SpawnOptions& options) {
  if (argv.empty() || argv[0].empty()) return InvalidArgument("cannot run an empty command");
  const std::string& command = argv[0];
  const std::string name = options.name.empty() ? command : options.name;

  Result<std::string> resolved = ResolveCommand(command, CommandSearchPath(env_additions));
  if (!resolved.ok()) return resolved.status();

  // The leak_child fault re-creates the bug the shim and the group signals
  // exist for: the command runs directly and only it is ever signalled.
  const bool leak_child = FailpointOn(Failpoint::kLeakChild);
  const Supervision supervision = leak_child ? Supervision::kDirect : options.supervision;
  std::vector<std::string> exec_args;
  std::string exec_path;
  if (supervision == Supervision::kShim) {
    exec_path = options.shim_path.empty() ? DefaultShimPath() : options.shim_path;
    if (::access(exec_path.c_str(), X_OK) != 0) {
      return Status(StatusCode::kInternal, "cannot run " + command + ": the supervisor " +
                                               exec_path + " is missing (" + ErrnoText(errno) +
                                               "); it is built next to the server");
    }
    exec_args = {exec_path, "--parent", std::to_string(::getpid()), "--report-fd", "3",
                 "--",      *resolved};
    exec_args.insert(exec_args.end(), argv.begin(), argv.end());
  } else {
    exec_path = *resolved;
    exec_args = argv;
  }
  std::vector<std::string> env =
      ChildEnvironment(options.inherit_only, env_additions,
                       supervision == Supervision::kShim ? kShimEnvPrefix : std::string_view());
  std::vector<char*> exec_argv = CStrings(exec_args);
  std::vector<char*> exec_envp = CStrings(env);

  Result<Pipe> in = MakePipe();
  if (!in.ok()) return in.status();
  Result<Pipe> out = MakePipe();
  if (!out.ok()) return out.status();
  Result<Pipe> err = MakePipe();
  if (!err.ok()) return err.status();
  Result<Pipe> report = MakePipe();
  if (!report.ok()) return report.status();
  SetNonBlocking(in->write.get());
  SetNonBlocking(out->read.get());
  SetNonBlocking(err->read.get());

  ExecSpec spec;
  spec.path = exec_path.c_str();
  spec.argv = exec_argv.data();
  spec.envp = exec_envp.data();
  spec.working_dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  spec.stdin_fd = in->read.get();
  spec.stdout_fd = out->write.get();
  spec.stderr_fd = err->write.get();
  spec.report_fd = report->write.get();
  spec.report_fd_as_3 = supervision == Supervision::kShim;

  Result<ForkedChild> forked = ProcessSupervisor::Global().Fork(spec);
  if (!forked.ok()) return forked.status();
  LedgerEntry counted(Gauge::kChildProcesses);
  in->read.Reset();
  out->write.Reset();
  err->write.Reset();
  report->write.Reset();

  // The report pipe closes on exec (the command's exec, under the shim);
  // a record on it means a step before exec failed.
  SpawnReport record;
  size_t got = 0;
  while (got < sizeof record) {
    ssize_t n =
        ::read(report->read.get(), reinterpret_cast<char*>(&record) + got, sizeof record - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  if (got == sizeof record) {
    siginfo_t info;
    while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(forked->pidfd.get()), &info,
                    WEXITED) != 0 &&
           errno == EINTR) {
    }
    const auto stage = static_cast<SpawnStage>(record.stage);
    std::string reason = ErrnoText(record.error);
    if (stage == SpawnStage::kWorkingDirectory) {
      reason = "cannot enter working directory " + options.working_dir + ": " + reason;
    } else if (stage != SpawnStage::kExec) {
      reason = StageText(stage) + ": " + reason;
    }
    const StatusCode code = (stage == SpawnStage::kExec || stage == SpawnStage::kWorkingDirectory)
                                ? StatusCode::kInvalidArgument
                                : StatusCode::kIoError;
    return Status(code, "cannot run " + command + ": " + reason);
  }

  if (leak_child) GOOSE_LOG(kWarn) << "failpoint leak_child: " << name << " runs unsupervised";
  return std::unique_ptr<ChildProcess>(new ChildProcess(
      name, supervision, leak_child, forked->pid, std::move(forked->pidfd), std::move(in->write),
      std::move(out->read), std::move(err->read), options, std::move(counted)));
}

ChildProcess::ChildProcess(std::string name, Supervision supervision, bool leak_child, pid_t pid,
                           UniqueFd pidfd, UniqueFd stdin_fd, UniqueFd stdout_fd,
                           UniqueFd stderr_fd, const SpawnOptions& options, LedgerEntry counted)
    : name_(std::move(name)),
      supervision_(supervision),
      leak_child_(leak_child),
      leave_descendants_(options.leave_descendants && supervision == Supervision::kDirect),
      pid_(pid),
      stop_grace_(options.stop_grace),
      pidfd_(std::move(pidfd)),
      stdout_(std::move(stdout_fd)),
      stderr_(std::move(stderr_fd)),
      stdin_(std::move(stdin_fd)),
      counted_(std::move(counted)),
      stderr_log_(name_, options.stderr_log),
      stderr_thread_([this](std::stop_token stop) { ReadStderr(stop); }) {}

ChildProcess::~ChildProcess() {
  bool reaped;
  {
    MutexLock lock(reap_mu_);
    reaped = reaped_;
  }
  if (!reaped) Stop(stop_grace_);
  stderr_thread_.request_stop();
  if (stderr_thread_.joinable()) stderr_thread_.join();
}

Status ChildProcess::WriteStdin(std::string_view bytes, Clock::time_point deadline,
                                const std::function<void()>& on_full) {
  bool waited = false;
  MutexLock lock(stdin_mu_);
  if (!stdin_.valid()) return Status(StatusCode::kUnavailable, "stdin of " + name_ + " is closed");
  ScopedSigpipeBlock no_sigpipe;
  while (!bytes.empty()) {
    ssize_t n = ::write(stdin_.get(), bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!waited && on_full) on_full();
      waited = true;
      pollfd fds[2] = {{stdin_.get(), POLLOUT, 0}, {stop_event_.fd(), POLLIN, 0}};
      int ready = ::poll(fds, 2, MillisUntil(deadline));
      if (ready < 0 && errno != EINTR)
        return IoError("poll on stdin of " + name_ + ": " + ErrnoText(errno));
      if (fds[1].revents != 0) return Status(StatusCode::kCancelled, name_ + " is being stopped");
      if (ready == 0 && Clock::now() >= deadline) {
        return Status(StatusCode::kDeadlineExceeded,
                      name_ + " did not read its stdin in time (pipe full)");
      }
      continue;
    }
    if (n < 0 && errno == EPIPE) {
      no_sigpipe.ConsumeRaised();
      return Status(StatusCode::kUnavailable, name_ + " closed its stdin (has it exited?)");
    }
    return IoError("write to stdin of " + name_ + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

bool ChildProcess::HasExited() const {
  pollfd fd = {pidfd_.get(), POLLIN, 0};
  return ::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN) != 0;
}

bool ChildProcess::WaitExit(Clock::time_point deadline) const {
  for (;;) {
    pollfd fd = {pidfd_.get(), POLLIN, 0};
    int ready = ::poll(&fd, 1, MillisUntil(deadline));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return HasExited();
    if (ready == 0 && Clock::now() >= deadline) return false;
  }
}

std::optional<ExitStatus> ChildProcess::TryReap() {
  MutexLock lock(reap_mu_);
  if (reaped_) return status_;
  if (!HasExited()) return std::nullopt;
  return ReapLocked(/*block=*/true);
}

std::optional<ExitStatus> ChildProcess::ReapLocked(bool block) {
  if (reaped_) return status_;
  // Whatever is left of the child's process group, and of the tree seen
  // when stopping began, goes now: the leader is not reaped yet, so its
  // group id is still this child's and cannot name another group.
  if (!leak_child_ && !leave_descendants_) {
    ::kill(-pid_, SIGKILL);
    SignalProcesses(tree_snapshot_, SIGKILL);
  }
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  for (;;) {
    int rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info,
                      WEXITED | (block ? 0 : WNOHANG));
    if (rc == 0) break;
    if (errno == EINTR) continue;
    // ECHILD cannot happen while this object owns the pid; report it loudly.
    GOOSE_LOG(kError) << "waitid on " << name_ << " (pid " << pid_ << "): " << ErrnoText(errno);
    info.si_pid = pid_;
    info.si_code = CLD_KILLED;
    info.si_status = SIGKILL;
    break;
  }
  if (info.si_pid == 0) return std::nullopt;  // WNOHANG and still running
  ExitStatus status;
  if (info.si_code == CLD_EXITED) {
    status.exit_code = info.si_status;
  } else {
    status.signal = info.si_status;
  }
  status_ = status;
  reaped_ = true;
  tree_snapshot_.clear();
  counted_.Release();
  GOOSE_LOG(kDebug) << "child " << name_ << " (pid " << pid_ << ") reaped: " << status.ToString();
  return status;
}

void ChildProcess::RequestStop() {
  if (stop_requested_.exchange(true)) return;
  stop_started_.store(Clock::now().time_since_epoch().count());
  {
    // The tree as it is before the child learns of the stop: a child that
    // exits at once on EOF leaves its descendants without a parent to find
    // them by, and this list is how they still get their SIGKILL.
    MutexLock lock(reap_mu_);
    if (!reaped_ && !leak_child_) AddToSnapshot(DescendantRefs(pid_));
  }
  stop_event_.Signal();
  MutexLock lock(stdin_mu_);
  stdin_.Reset();
}

void ChildProcess::AddToSnapshot(const std::vector<ProcessRef>& refs) {
  for (const ProcessRef& ref : refs) {
    if (std::find(tree_snapshot_.begin(), tree_snapshot_.end(), ref) == tree_snapshot_.end())
      tree_snapshot_.push_back(ref);
  }
}

void ChildProcess::SignalTerm() {
  MutexLock lock(reap_mu_);
  if (reaped_ || term_sent_) return;
  term_sent_ = true;
  if (leak_child_) {
    PidfdSendSignal(pidfd_.get(), SIGTERM);
    return;
  }
  AddToSnapshot(DescendantRefs(pid_));
  ::kill(-pid_, SIGTERM);
  SignalProcesses(tree_snapshot_, SIGTERM);
}

void ChildProcess::SignalKill() {
  std::vector<ProcessRef> tree;
  {
    MutexLock lock(reap_mu_);
    if (reaped_) return;
    if (leak_child_) {
      PidfdSendSignal(pidfd_.get(), SIGKILL);
      return;
    }
    AddToSnapshot(DescendantRefs(pid_));
    tree = tree_snapshot_;
    // Descendants first: under the shim they die while the shim (their
    // subreaper) still lives to reap them, and it then exits by itself.
    SignalProcesses(tree, SIGKILL);
    if (supervision_ == Supervision::kDirect) {
      ::kill(-pid_, SIGKILL);
      PidfdSendSignal(pidfd_.get(), SIGKILL);
      return;
    }
  }
  if (WaitExit(Clock::now() + kShimCleanupWait)) return;
  MutexLock lock(reap_mu_);
  if (reaped_) return;
  GOOSE_LOG(kWarn) << "goose-ext-shim of " << name_ << " did not exit after its command was killed";
  ::kill(-pid_, SIGKILL);
  PidfdSendSignal(pidfd_.get(), SIGKILL);
}

ExitStatus ChildProcess::Reap() {
  MutexLock lock(reap_mu_);
  return *ReapLocked(/*block=*/true);
}

ExitStatus ChildProcess::AwaitStop(Clock::time_point deadline) {
  RequestStop();
  {
    MutexLock lock(reap_mu_);
    if (reaped_) return status_;
  }
  const Clock::time_point started{Clock::duration(stop_started_.load())};
  const auto eof_wait = std::min<Clock::duration>(kMaxEofWait, (deadline - started) / 4);
  if (!WaitExit(std::min(deadline, started + eof_wait))) {
    SignalTerm();
    if (!WaitExit(deadline)) {
      GOOSE_LOG(kInfo) << "child " << name_ << " (pid " << pid_
                       << ") did not stop after SIGTERM; sending SIGKILL";
      SignalKill();
    }
  }
  return Reap();
}

ExitStatus ChildProcess::Stop(std::chrono::milliseconds grace) {
  RequestStop();
  return AwaitStop(Clock::now() + grace);
}

void ChildProcess::ReadStderr(std::stop_token stop) {
  std::stop_callback wake(stop, [this] { stderr_wake_.Signal(); });
  char buf[16384];
  size_t drained_after_stop = 0;
  bool stopping = false;
  for (;;) {
    pollfd fds[2] = {{stderr_.get(), POLLIN, 0}, {stderr_wake_.fd(), POLLIN, 0}};
    int ready = ::poll(fds, stopping ? 1 : 2, stopping ? 0 : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (!stopping && fds[1].revents != 0) stopping = true;  // drain what is there, then end
    if (fds[0].revents != 0) {
      ssize_t n = ::read(stderr_.get(), buf, sizeof buf);
      if (n > 0) {
        stderr_log_.Feed(std::string_view(buf, static_cast<size_t>(n)));
        if (stopping && (drained_after_stop += static_cast<size_t>(n)) > kStderrDrainLimit) break;
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        if (stopping) break;
        continue;
      }
      break;  // EOF or error
    }
    if (stopping) break;
  }
  stderr_log_.Finish();
  {
    MutexLock lock(stderr_mu_);
    stderr_closed_ = true;
  }
  stderr_cv_.notify_all();
}

bool ChildProcess::WaitStderrClosed(Clock::time_point deadline) {
  MutexLock lock(stderr_mu_);
  while (!stderr_closed_) {
    if (stderr_cv_.wait_until(stderr_mu_, deadline) == std::cv_status::timeout)
      return stderr_closed_;
  }
  return true;
}

}  // namespace goose
