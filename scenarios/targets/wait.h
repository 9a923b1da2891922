// Bounded waits the scenarios use to let the server come to rest (never a
// fixed sleep); the polling itself is harness/test_util.h's WaitUntil.

#ifndef GOOSE_SCENARIOS_TARGETS_WAIT_H_
#define GOOSE_SCENARIOS_TARGETS_WAIT_H_

#include <chrono>
#include <functional>

#include "harness/test_util.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// True once `condition` holds; false if it still does not at `timeout`.
using testing::WaitUntil;

// Waits until the target handles no request (ledger's pending_requests is
// 0). True at once when the target has no readable ledger.
bool WaitForQuiet(const Target& target, std::chrono::milliseconds timeout);

// Live sessions of the target (ledger), or -1 when it cannot be read.
int64_t LiveSessions(const Target& target);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_WAIT_H_
