// ext_owner_helper: a stand-in for a server that owns an extension, for
// owner_sigkill_test.cc. It starts mock-mcp through ChildProcess (under the
// shim, or directly), has it start three grandchildren (same process group;
// new session; new session and orphaned by a double fork), prints
//   READY <child pid> <grandchild pid> <grandchild pid> <grandchild pid>
// and then waits for EOF on stdin (it is meant to be SIGKILLed before).
//
//   ext_owner_helper <mock-mcp path> shim|direct

#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/extensions/child_process.h"
#include "core/extensions/mcp_client.h"

int main(int argc, char** argv) {
  using namespace goose;  // NOLINT: a small program
  if (argc != 3) {
    std::fprintf(stderr, "usage: ext_owner_helper <mock-mcp path> shim|direct\n");
    return 2;
  }
  SpawnOptions options;
  options.supervision =
      std::string(argv[2]) == "direct" ? Supervision::kDirect : Supervision::kShim;
  auto child = ChildProcess::Spawn({argv[1]}, {}, options);
  if (!child.ok()) {
    std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
    return 1;
  }
  const pid_t pid = (*child)->pid();
  McpClientOptions client_options;
  client_options.timeout = std::chrono::seconds(30);
  McpClient client(std::move(*child), client_options);
  if (auto init = client.Initialize(); !init.ok()) {
    std::fprintf(stderr, "%s\n", init.status().ToString().c_str());
    return 1;
  }
  std::string line = "READY " + std::to_string(pid);
  const Json spawns[] = {
      {{"new_session", false}}, {{"new_session", true}}, {{"new_session", true}, {"orphan", true}}};
  for (const Json& args : spawns) {
    auto result = client.CallTool("spawn_grandchild", args);
    if (!result.ok()) {
      std::fprintf(stderr, "spawn_grandchild: %s\n", result.error.c_str());
      return 1;
    }
    line += " " + McpContentText(*result.value).substr(4);  // "pid N"
  }
  line += "\n";
  (void)!::write(STDOUT_FILENO, line.data(), line.size());
  char c;
  while (::read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}
