// FUZZ_CHECK: an invariant of a fuzz target. A broken one prints what and
// where, then aborts, so libFuzzer saves the input as a crash.

#ifndef GOOSE_FUZZ_FUZZ_CHECK_H_
#define GOOSE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, #cond, what); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)

#endif  // GOOSE_FUZZ_FUZZ_CHECK_H_
