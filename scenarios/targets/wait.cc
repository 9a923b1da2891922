#include "scenarios/targets/wait.h"

namespace goose::scenarios {

bool WaitForQuiet(const Target& target, std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&] {
        std::optional<LedgerSnapshot> ledger = target.Ledger();
        return !ledger || (*ledger)[Gauge::kPendingRequests] == 0;
      },
      timeout);
}

int64_t LiveSessions(const Target& target) {
  std::optional<LedgerSnapshot> ledger = target.Ledger();
  return ledger ? (*ledger)[Gauge::kSessions] : -1;
}

}  // namespace goose::scenarios
