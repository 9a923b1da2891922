// Heap-profile attribution of a heap leak (heapprof preset only).
//
// ProfileGrowth() turns gperftools' heap profiler on, dumps a profile
// ("start"), runs the given work, dumps again ("end"), turns the profiler
// off, and runs `google-pprof --text --base=<start> <this binary> <end>`:
// what the work allocated and did not free, by allocation site, largest
// first. The profiler is only on around that work, so it cannot disturb a
// gate's measured iterations. gperftools' heap *checker* is not used (it
// is deprecated upstream).

#ifndef GOOSE_SCENARIOS_TARGETS_HEAP_PROFILE_H_
#define GOOSE_SCENARIOS_TARGETS_HEAP_PROFILE_H_

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose::scenarios {

// True when this build links the heap profiler (the tcmalloc backend).
bool HeapProfilingAvailable();

// The first `top` site lines of the pprof diff, preceded by its "Total:"
// line. Errors: FailedPrecondition-like InvalidArgument when profiling is
// not available; IoError when the profiles or google-pprof fail (the
// message quotes pprof's stderr).
Result<std::string> ProfileGrowth(const std::filesystem::path& dir,
                                  const std::function<void()>& work, int top = 10);

// Runs `google-pprof <format> --show_bytes --base=<before> <binary> <after>`
// and returns what it printed: what was allocated between the two profiles
// and not freed, by allocation site, largest first. `format` is "--text",
// "--svg" or any other output flag of google-pprof. Errors as RunProgram's:
// IoError quoting pprof's stderr when it fails or takes over 3 minutes.
Result<std::string> PprofDiff(std::string_view format, const std::filesystem::path& binary,
                              const std::filesystem::path& before,
                              const std::filesystem::path& after);

// The "Total:" line of a `google-pprof --text` output and the `top` site
// lines after it; empty when there is no "Total:" line.
std::string TopSites(const std::string& pprof_text, int top = 10);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_HEAP_PROFILE_H_
