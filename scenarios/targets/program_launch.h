// Shared pieces for targets that run the server under test as real
// programs (ProcessTarget, CommandTarget): reading a program's ready line,
// running mock-llm with a scenario's script, finding a free loopback port,
// naming the failpoints to pass on through GOOSE_API_FAILPOINTS, and
// accounting for the descendants they leave.

#ifndef GOOSE_SCENARIOS_TARGETS_PROGRAM_LAUNCH_H_
#define GOOSE_SCENARIOS_TARGETS_PROGRAM_LAUNCH_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/base/status.h"
#include "core/extensions/child_process.h"
#include "mock_provider/mock_stats.h"
#include "scenarios/probe/orphan_watch.h"

namespace goose::scenarios {

// Paths of the programs the build made.
std::string GooseApiPath();
std::string MockLlmPath();

// Reads `child`'s stdout until a line containing "listening on http://"
// and returns the port at its end. The error names the child and quotes
// what it printed on stdout and stderr.
Result<int> ReadReadyPort(ChildProcess& child, std::chrono::seconds timeout);

// The failpoints on in this process, as GOOSE_API_FAILPOINTS wants them
// ("partial_drain,leak_fd"); empty when none.
std::string FailpointsOn();

// A loopback port nothing listens on right now (bound to port 0, then
// released). Another program may take it before the caller does; a target
// that then fails to bind says so in its own error.
Result<int> PickFreeLoopbackPort();

// mock-llm as a child process, serving one script (written to a file in a
// directory the caller owns), with its drain accounting read over HTTP
// (GET /mock/stats). The destructor stops and reaps it.
class MockLlmProcess {
 public:
  // Writes `script_json` (empty: a looping one-message default) to
  // dir/script.json and starts mock-llm on a free port. Errors quote
  // mock-llm's stderr.
  static Result<std::unique_ptr<MockLlmProcess>> Start(const std::filesystem::path& dir,
                                                       const std::string& script_json);
  ~MockLlmProcess();
  MockLlmProcess(const MockLlmProcess&) = delete;
  MockLlmProcess& operator=(const MockLlmProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  // "http://127.0.0.1:<port>".
  std::string url() const;
  // GET /mock/stats; nullopt when it does not answer.
  std::optional<mock::MockStats> Stats() const;

 private:
  MockLlmProcess(std::unique_ptr<ChildProcess> process, int port)
      : process_(std::move(process)), port_(port) {}

  std::unique_ptr<ChildProcess> process_;
  int port_;
};

// GET /mock/stats of the mock-llm at `host`:`port`; nullopt when it does
// not answer with the stats object.
std::optional<mock::MockStats> ReadMockStats(const std::string& host, int port);

// Descendants of this process after reaping the orphans that died (never
// `own`: the target's programs, which their ChildProcess reaps).
int64_t CountDescendants(probe::OrphanWatch& orphans, const std::set<pid_t>& own);

// Kills and reaps every descendant but `own` and, while `server_running`,
// what the server runs below itself. Returns how many.
int KillStrays(probe::OrphanWatch& orphans, std::set<pid_t> own, bool server_running);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_PROGRAM_LAUNCH_H_
