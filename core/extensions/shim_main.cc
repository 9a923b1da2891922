// goose-ext-shim: the supervisor each extension runs under.
//
//   goose-ext-shim --parent <pid> [--report-fd <fd>] -- <path> <argv0> [<arg>...]
//
// ChildProcess execs this in place of the extension's command (see
// child_process.h). The shim
//   - makes itself a child subreaper, so every orphaned descendant of the
//     command (a daemon that double-forked, a grandchild that called
//     setsid) re-parents to it rather than to init;
//   - sets SIGTERM as its parent-death signal, and checks once a second
//     that its parent is still the server (<pid>);
//   - forks and execs <path> with argv <argv0> <arg>..., passing on its
//     stdin, stdout and stderr and its environment, where each
//     GOOSE_EXT_SET_<NAME>=<value> becomes <NAME>=<value> (the extension's
//     own variables, which never applied to the shim itself: no
//     LD_PRELOAD into the supervisor), with SIGKILL as the command's own
//     parent-death signal; an exec failure is written to <fd> as a
//     SpawnReport (the server's Spawn() turns it into an error);
//   - on SIGTERM/SIGINT/SIGHUP from a live parent (a stop request) passes
//     SIGTERM to every descendant, and keeps waiting for the command;
//   - when the command exits, or when the parent is gone, SIGKILLs every
//     descendant it can find and reaps until it has no child left, so no
//     process of the tree survives it;
//   - exits with the command's exit code, or re-raises the signal that
//     ended the command, so the server sees the command's own status.
//     Exit 125 means the parent died; 2 a usage error.
// It never reads or writes the extension's pipes (stdin and stdout are
// pointed at /dev/null after the fork, so the pipes close with the tree).

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/process_tree.h"
#include "core/extensions/spawn_report.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitParentGone = 125;

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: goose-ext-shim --parent <pid> [--report-fd <fd>] -- <path> <argv0> "
               "[<arg>...]\n"
               "Runs <path> as a supervised extension process of the goose-api server <pid>:\n"
               "a child subreaper that kills the command's whole process tree when the\n"
               "command exits, when it is stopped, or when the server dies.\n");
}

[[noreturn]] void Report(int fd, goose::SpawnStage stage, int error) {
  if (fd >= 0) {
    goose::SpawnReport report;
    report.stage = static_cast<int32_t>(stage);
    report.error = error;
    (void)!::write(fd, &report, sizeof report);
  }
  ::_exit(goose::kSpawnFailedExitCode);
}

// SIGKILLs every descendant and reaps until no child is left. Orphans of
// the tree re-parent to us (subreaper), so "no child left" means "no
// descendant left".
void KillTreeAndReap() {
  for (;;) {
    goose::SignalProcesses(goose::DescendantRefs(::getpid()), SIGKILL);
    int status = 0;
    pid_t r = ::waitpid(-1, &status, 0);
    if (r < 0 && errno == ECHILD) return;
    if (r < 0 && errno != EINTR) return;
  }
}

[[noreturn]] void ExitLike(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    struct rlimit no_core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::kill(::getpid(), sig);
    ::_exit(128 + sig);  // a signal whose default is to ignore it
  }
  ::_exit(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 1);
}

bool ParseInt(const char* text, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  *out = v;
  return true;
}

// The shim's environment for the command: GOOSE_EXT_SET_<NAME>=<value>
// entries unprefixed, replacing an inherited <NAME>.
std::vector<std::string> CommandEnvironment() {
  const std::string_view prefix = goose::kShimEnvPrefix;
  std::vector<std::string> set;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.substr(0, prefix.size()) == prefix) set.emplace_back(entry.substr(prefix.size()));
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.substr(0, prefix.size()) == prefix) continue;
    const std::string_view key = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (const std::string& s : set)
      replaced = replaced || std::string_view(s).substr(0, key.size()) == key;
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), set.begin(), set.end());
  return env;
}

}  // namespace

int main(int argc, char** argv) {
  long parent = -1;
  long report_fd = -1;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    }
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--parent" && i + 1 < argc && ParseInt(argv[i + 1], &parent)) {
      ++i;
    } else if (arg == "--report-fd" && i + 1 < argc && ParseInt(argv[i + 1], &report_fd)) {
      ++i;
    } else {
      Usage(stderr);
      return kExitUsage;
    }
  }
  if (parent <= 0 || argc - i < 2) {
    Usage(stderr);
    return kExitUsage;
  }
  const char* path = argv[i];
  char** command_argv = argv + i + 1;
  const int report = static_cast<int>(report_fd);

  // Signals are taken synchronously with sigtimedwait; the mask is restored
  // for the command.
  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&handled, sig);
  sigset_t original;
  ::sigprocmask(SIG_BLOCK, &handled, &original);

  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) Report(report, goose::SpawnStage::kShimSetup, errno);
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) Report(report, goose::SpawnStage::kShimSetup, errno);
  if (::getppid() != static_cast<pid_t>(parent)) return kExitParentGone;
  if (report >= 0) ::fcntl(report, F_SETFD, FD_CLOEXEC);

  std::vector<std::string> command_env = CommandEnvironment();
  std::vector<char*> command_envp;
  for (std::string& entry : command_env) command_envp.push_back(entry.data());
  command_envp.push_back(nullptr);

  const pid_t self = ::getpid();
  const pid_t command = ::fork();
  if (command < 0) Report(report, goose::SpawnStage::kShimFork, errno);
  if (command == 0) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
      Report(report, goose::SpawnStage::kShimSetup, errno);
    if (::getppid() != self) ::_exit(goose::kSpawnFailedExitCode);
    ::sigprocmask(SIG_SETMASK, &original, nullptr);
    ::execve(path, command_argv, command_envp.data());
    Report(report, goose::SpawnStage::kExec, errno);
  }
  if (report >= 0) ::close(report);
  // The extension's pipes are the command's business: holding them here
  // would keep them open after the command's tree is gone.
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(devnull, STDOUT_FILENO);
    ::close(devnull);
  }

  int command_status = 0;
  bool command_done = false;
  bool parent_gone = false;
  while (!command_done && !parent_gone) {
    struct timespec one_second = {1, 0};
    siginfo_t info;
    int sig = ::sigtimedwait(&handled, &info, &one_second);
    if (::getppid() != static_cast<pid_t>(parent)) {
      parent_gone = true;
      break;
    }
    if (sig == SIGCHLD) {
      int status = 0;
      pid_t r;
      while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (r == command) {
          command_status = status;
          command_done = true;
        }
      }
    } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
      goose::SignalProcesses(goose::DescendantRefs(self), SIGTERM);
    }
  }
  KillTreeAndReap();
  if (parent_gone) ::_exit(kExitParentGone);
  ExitLike(command_status);
}
