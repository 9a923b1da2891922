// /debug/heap: a heap profile of the live server, the way Go servers
// expose /debug/pprof/heap. Only in builds linked with gperftools tcmalloc
// (the heapprof preset, GOOSE_HEAP_BACKEND_TCMALLOC); other builds have no
// such route.
//
// How: tcmalloc's allocation sampling. With TCMALLOC_SAMPLE_PARAMETER=N in
// the environment at process start, tcmalloc records the stack of about
// one allocation per N bytes allocated, and
// MallocExtension::GetHeapSample() writes the sampled allocations still
// live as a legacy text heap profile ("heap profile: ... @ heap_v2/N",
// then "@ addr..." stacks and MAPPED_LIBRARIES), which
// `google-pprof --text [--base=OLD] <goose-api> NEW` reads and scales back
// to bytes. Two profiles taken before and after some work give, as a diff,
// what that work allocated and kept, by allocation site.
//
// Why sampling and not gperftools' heap profiler (HeapProfilerStart +
// GetHeapProfile, which records every allocation): measured on this
// machine, a malloc+free pair costs about 9 ns plain, 25 ns with sampling
// every 512 KiB, and 7,700 ns with the heap profiler on. Sampling is cheap
// enough to leave on for the life of the server; the profiler is not.
//
// tcmalloc reads TCMALLOC_SAMPLE_PARAMETER before main() runs, so
// ReexecWithHeapSampling() sets it (to kDefaultHeapSamplePeriod, Go's
// default rate) and re-executes the server when it is unset. Set it
// yourself to choose the period (smaller: finer, slower); set it to 0 to
// turn sampling off, and /debug/heap answers 503 saying so.
//
// Observed with gperftools 2.10: the main thread's allocations are not
// sampled (its sampler is set up before tcmalloc reads the variable);
// goose-api's work runs on its HTTP and reaper threads, which are.

#ifndef GOOSE_CORE_SERVER_DEBUG_HEAP_H_
#define GOOSE_CORE_SERVER_DEBUG_HEAP_H_

#include <cstdint>
#include <string>

#include "core/base/status.h"

namespace goose {

// Bytes between sampled allocations when the environment does not say.
inline constexpr int64_t kDefaultHeapSamplePeriod = 512 * 1024;

// True in builds that serve /debug/heap (tcmalloc).
bool DebugHeapAvailable();

// In tcmalloc builds with TCMALLOC_SAMPLE_PARAMETER unset: sets it to
// kDefaultHeapSamplePeriod and execs /proc/self/exe with `argv` (same
// pid, same arguments). Returns only when nothing had to be done or the
// exec failed (logged; /debug/heap then reports sampling as off). Call it
// first thing in main(), before any thread starts. REQUIRES: argv is
// main()'s, null-terminated.
void ReexecWithHeapSampling(char** argv);

// The sample period in effect (from TCMALLOC_SAMPLE_PARAMETER); 0 when
// sampling is off or the build has no tcmalloc.
int64_t HeapSamplePeriod();

// The heap profile of this process in google-pprof's text format.
// Errors: Unavailable when the build has no tcmalloc or sampling is off
// (the message says how to turn it on).
Result<std::string> HeapProfileText();

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_DEBUG_HEAP_H_
