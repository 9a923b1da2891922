#include "scenarios/leakcheck/heap_diff.h"

#include "core/base/file_io.h"
#include "scenarios/targets/heap_profile.h"
#include "scenarios/targets/run_program.h"

namespace goose::leakcheck {
Result<HeapDiff> DiffHeapProfiles(const std::filesystem::path& dir, const std::string& scenario,
                                  const std::string& binary, const std::string& before,
                                  const std::string& after) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path before_file = dir / ("heap-before-" + scenario + ".heap");
  const std::filesystem::path after_file = dir / ("heap-after-" + scenario + ".heap");
  if (Status s = WriteFile(before_file, before); !s.ok()) return s;
  if (Status s = WriteFile(after_file, after); !s.ok()) return s;
  if (!scenarios::ProgramExists("google-pprof")) {
    return InvalidArgument(
        "google-pprof is not installed (apt-get install google-perftools); the "
        "two profiles are in " +
        dir.string());
  }
  Result<std::string> text = scenarios::PprofDiff("--text", binary, before_file, after_file);
  if (!text.ok()) return text.status();
  HeapDiff diff;
  diff.text_file = dir / ("heap-growth-" + scenario + ".txt");
  if (Status s = WriteFile(diff.text_file, *text); !s.ok()) return s;
  diff.top_sites = scenarios::TopSites(*text, 15);
  if (text->find_first_not_of(" \t\n") == std::string::npos) {
    // google-pprof prints nothing when no sampled site differs.
    diff.top_sites = "Total: 0 B (no sampled allocation site grew between the two profiles)\n";
    return diff;
  }
  if (diff.top_sites.empty()) {
    return IoError("google-pprof printed no \"Total:\" line; its output is in " +
                   diff.text_file.string());
  }
  if (scenarios::ProgramExists("dot")) {
    Result<std::string> svg = scenarios::PprofDiff("--svg", binary, before_file, after_file);
    if (svg.ok() && svg->find("<svg") != std::string::npos) {
      diff.svg_file = dir / ("heap-growth-" + scenario + ".svg");
      if (Status s = WriteFile(diff.svg_file, *svg); !s.ok()) return s;
    }
  }
  return diff;
}

}  // namespace goose::leakcheck
