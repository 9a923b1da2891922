#include "scenarios/targets/preloaded_profiler.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/base/file_io.h"

namespace goose::scenarios {
namespace {

using Clock = std::chrono::steady_clock;

// gperftools' heap profiler, from Debian's libgoogle-perftools4.
std::string FindLibTcmalloc() {
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
                          "/usr/lib", "/usr/local/lib"}) {
    const std::filesystem::path lib = std::filesystem::path(dir) / "libtcmalloc.so.4";
    if (::access(lib.c_str(), R_OK) == 0) return lib.string();
  }
  return "";
}

}  // namespace

std::string PreloadWith(const std::string& library) {
  const char* existing = std::getenv("LD_PRELOAD");
  return existing != nullptr && *existing != '\0' ? library + " " + existing : library;
}

std::string ProfilerPreloadRefusal(const ExecutableInfo& program) {
  if (program.own_allocator == "tcmalloc" && program.sanitizer.empty()) return "";
  return PreloadRefusal(program);
}

Result<PreloadedHeapProfiler> PreloadedHeapProfiler::Prepare(
    std::filesystem::path prefix, std::map<std::string, std::string>& env) {
  const std::string tcmalloc = FindLibTcmalloc();
  if (tcmalloc.empty()) {
    return Status(StatusCode::kNotFound,
                  "libtcmalloc.so.4 is not installed (apt-get install libgoogle-perftools4)");
  }
  env["LD_PRELOAD"] = PreloadWith(tcmalloc);
  env["HEAPPROFILE"] = prefix.string();
  env["HEAPPROFILESIGNAL"] = std::to_string(SIGUSR2);
  // Dumps only when asked: no periodic ones (1 TiB allocated or in use).
  env["HEAP_PROFILE_ALLOCATION_INTERVAL"] = "1099511627776";
  env["HEAP_PROFILE_INUSE_INTERVAL"] = "1099511627776";
  return PreloadedHeapProfiler(std::move(prefix));
}

Result<std::string> PreloadedHeapProfiler::Dump(pid_t pid) {
  char name[32];
  std::snprintf(name, sizeof name, ".%04d.heap", ++dumps_);
  const std::filesystem::path dump = prefix_.string() + name;
  if (::kill(pid, SIGUSR2) != 0) return IoError("cannot signal pid " + std::to_string(pid));
  // The profiler writes the dump from its signal handler; wait until the
  // file is there and has stopped growing.
  std::uintmax_t last_size = 0;
  int stable = 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline && stable < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(dump, ec);
    if (ec || size == 0) continue;
    stable = size == last_size ? stable + 1 : 0;
    last_size = size;
  }
  if (stable < 3) {
    return Status(StatusCode::kDeadlineExceeded,
                  "pid " + std::to_string(pid) + " wrote no heap profile " + dump.string() +
                      " within 30 s of SIGUSR2 (does it block or handle that signal?)");
  }
  return ReadFile(dump);
}

}  // namespace goose::scenarios
