// The hardening gates' work as leak-gate scenarios (scenarios/runner/
// scenario.h), so the leak gates' Runner judges them: warm-up iterations,
// then a sample of every series after each measured iteration, the heap's
// Theil-Sen slope against a threshold of gate_thresholds.cc (99% lower
// bound), counted series (fds, threads, streams, sessions, provider
// connections) back at their baseline after a bounded settle wait,
// LeakSanitizer under asan (the gate checks once its server is gone), and
// "not observable" for the heap under tsan.
//
//   bad_input        the bad-request corpus and the misbehaving clients
//   load             8 clients at once over 16 sessions, reaped and
//                    rehydrated under a 300 ms TTL; no message lost
//   provider_faults  one request per provider fault script, each through a
//                    fresh server with the real OpenAI provider; each
//                    answered with its documented status
//
// Each scenario returns an error (not a leak) when the server answers
// wrongly: a status other than the documented one, a lost message.

#ifndef GOOSE_HARDENING_GATE_SCENARIOS_H_
#define GOOSE_HARDENING_GATE_SCENARIOS_H_

#include <memory>

#include "harness/test_server.h"
#include "scenarios/runner/scenario.h"

namespace goose::hardening {

// Each runs against the server of `target` (an InProcessTarget built from
// HardeningServerOptions() of bad_input_corpus.h for bad_input,
// LoadServerOptions() below for load), which it also reads: the sessions a
// bad client left, the files the load wrote.
std::unique_ptr<scenarios::Scenario> MakeBadInputScenario(testing::TestServer& server);
std::unique_ptr<scenarios::Scenario> MakeLoadScenario(testing::TestServer& server);
// Starts its own mock LLM (Setup) and a server per fault (Iterate); its
// target only stands for this process.
std::unique_ptr<scenarios::Scenario> MakeProviderFaultsScenario();

// The servers the scenarios expect.
testing::TestServerOptions LoadServerOptions();

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_GATE_SCENARIOS_H_
