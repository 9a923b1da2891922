// PreloadedHeapProfiler: gperftools' heap profiler preloaded into a program
// leakcheck starts (libtcmalloc from Debian's libgoogle-perftools4, through
// LD_PRELOAD), dumping a profile only when signalled.
//
// Prepare() adds to the program's environment: LD_PRELOAD (libtcmalloc
// ahead of whatever this process preloads), HEAPPROFILE=<prefix>,
// HEAPPROFILESIGNAL=SIGUSR2 and intervals so large that no periodic dump is
// ever written. Dump() signals the program and returns the dump it writes
// (<prefix>.NNNN.heap, gperftools' text format: its header holds the in-use
// bytes exactly), for google-pprof --base diffs (heap_profile.h).
//
// Used by CommandTarget (a goose-api compatible server) and McpTarget (a
// stdio MCP server). Not thread-safe.

#ifndef GOOSE_SCENARIOS_TARGETS_PRELOADED_PROFILER_H_
#define GOOSE_SCENARIOS_TARGETS_PRELOADED_PROFILER_H_

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

#include "core/base/status.h"
#include "scenarios/targets/executable_info.h"

namespace goose::scenarios {

// `library` ahead of whatever LD_PRELOAD this process has.
std::string PreloadWith(const std::string& library);

// Why the profiler cannot be preloaded into `program` (PreloadRefusal's
// reasons: static, a sanitizer build, an allocator of its own), in words;
// "" when it can. A tcmalloc program takes it: the same library.
std::string ProfilerPreloadRefusal(const ExecutableInfo& program);

class PreloadedHeapProfiler {
 public:
  // Adds the profiler to `env` (see above). Errors: NotFound when
  // libtcmalloc.so.4 is not installed, saying which package has it.
  static Result<PreloadedHeapProfiler> Prepare(std::filesystem::path prefix,
                                               std::map<std::string, std::string>& env);

  // Signals `pid` (HEAPPROFILESIGNAL) and returns the profile it writes,
  // once the file has stopped growing. Errors: IoError when the signal
  // cannot be sent; DeadlineExceeded when no dump appears within 30 s.
  Result<std::string> Dump(pid_t pid);

 private:
  explicit PreloadedHeapProfiler(std::filesystem::path prefix) : prefix_(std::move(prefix)) {}

  std::filesystem::path prefix_;
  int dumps_ = 0;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_PRELOADED_PROFILER_H_
