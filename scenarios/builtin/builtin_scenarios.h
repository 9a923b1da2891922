// The leak-gate scenarios, each a real workload against the server and the
// mock provider (see docs/leak-gates.md for what each one proves and the
// failpoint its canary runs under):
//
//   stream_drainage      multi-message, multi-chunk replies with a tool loop
//   disconnects_and_failures  clients leaving mid-reply, provider failing
//                        mid-stream
//   timeout_reaping      many idle sessions with a short TTL, reaped
//   extension_orphans    mock-mcp extensions spawning grandchildren;
//                        sessions ended, reaped, extension removed
//   concurrent_sessions  several clients, interleaved sessions
//   summarization        context-length-exceeded -> summary -> retry, and
//                        /session/summarize
//   server_sigkill       goose-api as a process, SIGKILLed with extension
//                        grandchildren running
//
// Every scenario also reports open fds and threads, so fd and thread
// stability is judged across all of them.

#ifndef GOOSE_SCENARIOS_BUILTIN_BUILTIN_SCENARIOS_H_
#define GOOSE_SCENARIOS_BUILTIN_BUILTIN_SCENARIOS_H_

#include <memory>
#include <string>
#include <vector>

#include "scenarios/runner/scenario.h"

namespace goose::scenarios {

std::unique_ptr<Scenario> MakeStreamDrainageScenario();
std::unique_ptr<Scenario> MakeDisconnectsAndFailuresScenario();
std::unique_ptr<Scenario> MakeTimeoutReapingScenario();
std::unique_ptr<Scenario> MakeExtensionOrphansScenario();
std::unique_ptr<Scenario> MakeConcurrentSessionsScenario();
std::unique_ptr<Scenario> MakeSummarizationScenario();
std::unique_ptr<Scenario> MakeServerSigkillScenario();

// Every name above, in that order.
std::vector<std::string> BuiltinScenarioNames();
// nullptr for an unknown name.
std::unique_ptr<Scenario> MakeBuiltinScenario(const std::string& name);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_BUILTIN_BUILTIN_SCENARIOS_H_
