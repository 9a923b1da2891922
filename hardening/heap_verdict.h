// The heap verdict of a hardening gate: it must be clean; where the build
// cannot see the heap (ThreadSanitizer) it is reported "not observable",
// recorded in the test's XML and printed, never passed off as clean.

#ifndef GOOSE_HARDENING_HEAP_VERDICT_H_
#define GOOSE_HARDENING_HEAP_VERDICT_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "scenarios/probe/growth.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::hardening {

inline double HeapSample() { return probe::HeapGauge::Sample(); }

inline void ExpectHeapFlat(const probe::GrowthVerdict& v, const char* gate) {
  const std::string backend(probe::HeapGauge::Backend());
  if (v.verdict == probe::Verdict::kNotObservable) {
    ::testing::Test::RecordProperty("heap", "not observable (" + backend + ")");
    std::printf("%s: heap not observable in this build (%s): not judged\n", gate, backend.c_str());
    return;
  }
  EXPECT_EQ(v.verdict, probe::Verdict::kClean)
      << gate << " heap (" << backend << "): " << v.ToString();
}

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_HEAP_VERDICT_H_
