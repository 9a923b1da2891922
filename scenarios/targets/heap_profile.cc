#include "scenarios/targets/heap_profile.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <vector>

#include "scenarios/targets/run_program.h"

#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
#include <gperftools/heap-profiler.h>
#endif

namespace goose::scenarios {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
namespace {

// Every *.heap file in `dir`, in name order (the profiler numbers them).
std::vector<std::filesystem::path> HeapFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".heap") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace
#endif  // GOOSE_HEAP_BACKEND_TCMALLOC

std::string TopSites(const std::string& pprof_text, int top) {
  // "Total: 0.1 MB" then one line per site, largest first.
  std::istringstream lines(pprof_text);
  std::string line, kept;
  int sites = -1;
  while (std::getline(lines, line) && sites < top) {
    if (sites < 0) {
      if (line.rfind("Total:", 0) != 0) continue;
      sites = 0;
    } else {
      ++sites;
    }
    kept += line + "\n";
  }
  return kept;
}

Result<std::string> PprofDiff(std::string_view format, const std::filesystem::path& binary,
                              const std::filesystem::path& before,
                              const std::filesystem::path& after) {
  return RunProgram({"google-pprof", std::string(format), "--show_bytes",
                     "--base=" + before.string(), binary.string(), after.string()},
                    std::chrono::seconds(180));
}

bool HeapProfilingAvailable() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  return true;
#else
  return false;
#endif
}

Result<std::string> ProfileGrowth(const std::filesystem::path& dir,
                                  const std::function<void()>& work, int top) {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot make " + dir.string() + ": " + ec.message());
  if (IsHeapProfilerRunning()) return InvalidArgument("the heap profiler is already running");
  const std::string prefix = (dir / "gate").string();
  HeapProfilerStart(prefix.c_str());
  HeapProfilerDump("start");
  work();
  HeapProfilerDump("end");
  HeapProfilerStop();
  const std::vector<std::filesystem::path> files = HeapFiles(dir);
  if (files.size() < 2) return IoError("the heap profiler wrote no profiles in " + dir.string());
  char exe[4096];
  const ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return IoError("cannot read /proc/self/exe");
  Result<std::string> text =
      PprofDiff("--text", std::string(exe, static_cast<size_t>(len)), files.front(), files.back());
  if (!text.ok()) return text.status();
  std::string kept = TopSites(*text, top);
  if (kept.empty()) return IoError("google-pprof printed no \"Total:\" line: " + *text);
  return kept;
#else
  (void)dir;
  (void)work;
  (void)top;
  return InvalidArgument("heap profiles need the heapprof preset (tcmalloc)");
#endif
}

}  // namespace goose::scenarios
