// Our programs (goose-api, mock-llm, mock-mcp) started as real processes
// for end-to-end tests: spawned without a shell through ChildProcess, their
// ready line read from stdout, stopped and reaped by the owner.

#ifndef GOOSE_INTEGRATION_PROGRAMS_H_
#define GOOSE_INTEGRATION_PROGRAMS_H_

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/extensions/child_process.h"
#include "core/extensions/tests/extension_test_util.h"

namespace goose::testing {

// build/<preset>/bin/<name>: next to the running test binary.
inline std::string ProgramPath(const std::string& name) {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / name).string();
}

// A started program and the port from its ready line
// ("<name> listening on http://127.0.0.1:<port>").
struct RunningProgram {
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<LineReader> stdout_lines;
  int port = 0;
};

// Starts `argv` with `env` and waits (bounded) for its ready line. The
// error names the program and carries its stderr tail.
inline Result<RunningProgram> StartProgram(const std::vector<std::string>& argv,
                                           const std::map<std::string, std::string>& env) {
  SpawnOptions options;
  options.supervision = Supervision::kDirect;
  options.stop_grace = std::chrono::seconds(10);
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, env, options);
  if (!child.ok()) return child.status();
  RunningProgram p;
  p.process = std::move(child).value();
  p.stdout_lines = std::make_unique<LineReader>(p.process->stdout_fd());
  std::optional<std::string> line = p.stdout_lines->Next(std::chrono::seconds(30));
  const std::string marker = "listening on http://127.0.0.1:";
  if (!line || line->find(marker) == std::string::npos) {
    // A program that exits before it is ready may still be writing why:
    // its stderr is whole once closed (bounded), as RunToEnd waits for it.
    p.process->WaitStderrClosed(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    return Status(StatusCode::kUnavailable,
                  argv[0] + " did not become ready; stderr: " + p.process->StderrTail());
  }
  p.port = std::stoi(line->substr(line->find(marker) + marker.size()));
  return p;
}

}  // namespace goose::testing

#endif  // GOOSE_INTEGRATION_PROGRAMS_H_
