#include "scenarios/leakcheck/heap_diff.h"

#include <httplib.h>

#include "core/base/file_io.h"
#include "scenarios/targets/heap_profile.h"
#include "scenarios/targets/run_program.h"

namespace goose::leakcheck {
namespace {

constexpr char kUseHeapprof[] =
    "leakcheck profile needs goose-api from a heapprof build, which serves GET /debug/heap: "
    "cmake --preset heapprof && cmake --build --preset heapprof, then run "
    "build/heapprof/bin/leakcheck profile (or --target build/heapprof/bin/goose-api)";

}  // namespace

Result<std::string> FetchHeapProfile(const scenarios::Target& target) {
  httplib::Client client(target.host(), target.port());
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(120));
  httplib::Result res = client.Get("/debug/heap", {{"x-api-key", target.api_key()}});
  const std::string where =
      "http://" + target.host() + ":" + std::to_string(target.port()) + "/debug/heap";
  if (!res) return Status(StatusCode::kUnavailable, "no answer from GET " + where);
  if (res->status == 404) {
    return InvalidArgument("the target has no GET /debug/heap (404). " + std::string(kUseHeapprof));
  }
  if (res->status != 200) {
    return InvalidArgument("GET " + where + " answered " + std::to_string(res->status) + ": " +
                           res->body.substr(0, 300) + ". " + kUseHeapprof);
  }
  if (res->body.rfind("heap profile:", 0) != 0 && res->body.rfind("heap_v2/", 0) != 0) {
    return InvalidArgument("GET " + where +
                           " did not answer with a gperftools heap profile (it "
                           "starts \"" +
                           res->body.substr(0, 60) + "\"). " + kUseHeapprof);
  }
  return std::move(res->body);
}

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
