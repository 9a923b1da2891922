#include "scenarios/targets/run_program.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

namespace goose::scenarios {

Result<ProgramRun> RunToEnd(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env,
                            std::chrono::seconds timeout) {
  if (argv.empty()) return InvalidArgument("RunToEnd: empty argv");
  SpawnOptions options;
  options.name = argv[0];
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> spawned = ChildProcess::Spawn(argv, env, options);
  if (!spawned.ok()) return spawned.status();
  ChildProcess& child = **spawned;
  child.RequestStop();  // closes stdin: the program reads nothing from it
  const Clock::time_point deadline = Clock::now() + timeout;
  ProgramRun run;
  const bool eof = DrainPipe(
      child.stdout_fd(), [&] { return Clock::now() < deadline; },
      [&](std::string_view bytes) { run.out.append(bytes); });
  run.timed_out = !eof;
  run.status = child.AwaitStop(std::max(deadline, Clock::now()));
  // The stderr reader may still hold the last bytes: wait for its EOF
  // (bounded) so the tail has the program's last words.
  child.WaitStderrClosed(Clock::now() + std::chrono::seconds(5));
  run.err_tail = child.StderrShortTail(4096);
  return run;
}

Result<std::string> RunProgram(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  Result<ProgramRun> run = RunToEnd(argv, {}, timeout);
  if (!run.ok()) return run.status();
  if (run->timed_out || run->status.signal != 0 || run->status.exit_code != 0) {
    return IoError(argv[0] + " failed (" +
                   (run->timed_out ? std::string("timed out") : run->status.ToString()) +
                   "): " + run->err_tail);
  }
  return std::move(run->out);
}

bool DrainPipe(int fd, const std::function<bool()>& keep_going,
               const std::function<void(std::string_view)>& chunk) {
  char buffer[16384];
  while (keep_going()) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      chunk(std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n == 0) {
      return true;
    } else if (errno != EAGAIN && errno != EINTR) {
      return false;
    }
  }
  return false;
}

bool ProgramExists(const std::string& command) {
  const char* path = std::getenv("PATH");
  return ResolveCommand(command, path != nullptr ? path : "/usr/bin:/bin").ok();
}

}  // namespace goose::scenarios
