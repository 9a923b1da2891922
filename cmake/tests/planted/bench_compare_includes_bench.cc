// The benchmark comparison reaching up into the benchmark suite it judges:
// LayeringCheck.BenchCompareUpward* must refuse it.
#include "bench/bench_util.h"
#include "bench/compare/bench_compare.h"
