#include "scenarios/lib/run_program.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include "core/extensions/child_process.h"

namespace goose::scenarios {

Result<std::string> RunProgram(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  if (argv.empty()) return InvalidArgument("RunProgram: empty argv");
  SpawnOptions options;
  options.name = argv[0];
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> spawned = ChildProcess::Spawn(argv, {}, options);
  if (!spawned.ok()) return spawned.status();
  ChildProcess& child = **spawned;
  child.RequestStop();  // closes stdin: the tool reads nothing from it
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string out;
  char buffer[16384];
  bool eof = false;
  while (!eof && Clock::now() < deadline) {
    pollfd pfd{child.stdout_fd(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(child.stdout_fd(), buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      eof = true;
    } else if (errno != EAGAIN && errno != EINTR) {
      break;
    }
  }
  const ExitStatus status = child.AwaitStop(std::max(deadline, Clock::now()));
  if (!eof || status.signal != 0 || status.exit_code != 0) {
    return IoError(argv[0] + " failed (" + (eof ? status.ToString() : "timed out") +
                   "): " + child.StderrShortTail());
  }
  return out;
}

bool ProgramExists(const std::string& command) {
  const char* path = std::getenv("PATH");
  return ResolveCommand(command, path != nullptr ? path : "/usr/bin:/bin").ok();
}

}  // namespace goose::scenarios
