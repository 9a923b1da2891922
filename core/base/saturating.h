// Token counts and other totals that a peer controls add with saturation:
// INT64_MAX in a provider's usage must not overflow (undefined behaviour)
// into a negative count in a session file.

#ifndef GOOSE_CORE_BASE_SATURATING_H_
#define GOOSE_CORE_BASE_SATURATING_H_

#include <cstdint>
#include <limits>

#include "core/base/failpoint.h"

namespace goose {

// a + b, held at the int64 range's end instead of overflowing.
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (FailpointOn(Failpoint::kLiftTokenSaturation)) {
    // The bug put back, with wrap-around in place of undefined behaviour.
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  }
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

}  // namespace goose

#endif  // GOOSE_CORE_BASE_SATURATING_H_
