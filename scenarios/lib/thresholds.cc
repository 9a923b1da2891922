// The heap thresholds of every gate. Read "Facts measured" in
// /work/shared/DESIGN.md and docs/leak-gates.md first: in a steady loop of
// requests all three heap backends show a Theil-Sen slope of exactly
// 0 B/iteration for clean code (the runner preallocates its buffers), and
// one leaked 8-byte block per request shows as >= 20 B/request (tcmalloc,
// asan) to ~43 B/request (glibc). The verdict uses the slope's lower 99%
// bound, so a threshold only has to sit above the clean bound and below
// the smallest leak worth catching: 8 B per request.

#include "scenarios/lib/thresholds.h"

#include <array>

namespace goose::scenarios {
namespace {

struct Row {
  std::string_view scenario;  // "*": every scenario without its own row
  std::string_view backend;   // "*": every backend
  HeapThreshold threshold;
};

// First match wins; keep specific rows above general ones.
constexpr std::array kRows = {
    // Extension sessions spawn processes and threads (stderr readers,
    // spawner) whose allocator caches vary by a few hundred bytes from one
    // iteration to the next; with 15 iterations the 99% bound is wide, and
    // the counted series (descendants, children, fds, threads) are this
    // gate's real judges.
    Row{"extension_orphans",
        "*",
        {256,
         "process spawns per iteration: allocator caches of short-lived threads jitter by "
         "a few hundred bytes; measured clean lower bound <= 0, canary grows by processes"}},
    // The concurrent gate makes threads per iteration (4 client threads),
    // so per-thread allocator caches (glibc arenas, tcmalloc thread caches,
    // asan's allocator cache) move a little; 16 requests per iteration
    // make an 8-byte-per-request leak >= 128 B/iteration.
    Row{"concurrent_sessions",
        "*",
        {32,
         "16 requests per iteration from 4 new threads: per-thread cache jitter; an 8-byte "
         "leak per request is >= 128 B/iteration"}},
    Row{"*",
        "*",
        {4,
         "clean slope measured exactly 0 B/iteration on glibc, tcmalloc and asan; 4 B is "
         "half of one 8-byte leak per iteration, so one leaked block per request (>= 1 request "
         "per iteration) is always above it"}},
};

bool Matches(std::string_view pattern, std::string_view value) {
  return pattern == "*" || pattern == value;
}

}  // namespace

HeapThreshold HeapThresholdFor(std::string_view scenario, std::string_view backend) {
  for (const Row& row : kRows) {
    if (Matches(row.scenario, scenario) && Matches(row.backend, backend)) return row.threshold;
  }
  return kRows.back().threshold;
}

}  // namespace goose::scenarios
