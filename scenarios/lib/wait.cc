#include "scenarios/lib/wait.h"

#include <algorithm>
#include <thread>

namespace goose::scenarios {

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(100);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

bool WaitForQuiet(const Target& target, std::chrono::milliseconds timeout) {
  return WaitFor(
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
