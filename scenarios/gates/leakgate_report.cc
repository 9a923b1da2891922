// leakgate-report: merges the per-test JSON results the leak gates wrote
// (GOOSE_GATE_REPORT_DIR) into one report, prints the verdict table, and
// exits 1 when a gate is not clean, a canary did not flag its series, a
// hostile case went over its budget, or a test left no result (its started
// mark, harness/gate_report.h, is still there: it crashed or timed out).
// With --html FILE it also writes the same results as one self-contained
// HTML page (scenarios/report/html_report.h): the verdict table, then the
// plots of every gate and canary.
//
//   leakgate-report --out reports/leakgate.json [--html reports/leakgate.html] \
//       asan=reports/leakgate-runs/asan ...
//
// Each PRESET=DIR argument names a directory of <test>.json files; an
// optional DIR/.seconds holds the wall time of that preset's run.

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "scenarios/report/html_report.h"

namespace {

namespace fs = std::filesystem;
using goose::Json;

std::string Fixed(const Json& v, int digits = 1) {
  if (!v.is_number()) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v.get<double>();
  return out.str();
}

// `json[key]`, or null when `json` is not an object or has no such key: a
// result written by an older or a crashed gate must not crash the report.
const Json& Field(const Json& json, const char* key) {
  static const Json kNull;
  if (!json.is_object()) return kNull;
  auto it = json.find(key);
  return it == json.end() ? kNull : *it;
}

struct Row {
  std::vector<std::string> cells;
};

int Usage() {
  std::fprintf(stderr, "usage: leakgate-report --out FILE [--html FILE] PRESET=DIR...\n");
  return 2;
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

bool WriteFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, html_path;
  std::vector<std::pair<std::string, fs::path>> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else if (arg == "--html" && i + 1 < argc) {
      html_path = argv[++i];
    } else if (arg == "--help") {
      return Usage();
    } else if (const size_t eq = arg.find('='); eq != std::string::npos && eq > 0) {
      inputs.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else {
      return Usage();
    }
  }
  if (out_path.empty() || inputs.empty()) return Usage();

  Json runs = Json::array();
  Json wall = Json::object();
  for (const auto& [preset, dir] : inputs) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      goose::Result<Json> parsed = goose::JsonParse(text.str(), file.string());
      if (!parsed.ok()) {
        std::fprintf(stderr, "leakgate-report: %s\n", parsed.status().ToString().c_str());
        return 1;
      }
      runs.push_back(*parsed);
    }
    std::ifstream seconds(dir / ".seconds");
    double s = 0;
    if (seconds >> s) wall[preset] = s;
  }

  const std::vector<std::string> head = {
      "preset",        "kind",    "scenario", "iters", "heap slope B/iter [99% bound] vs threshold",
      "counted grown", "verdict", "gate",     "time"};
  std::vector<std::vector<std::string>> rows;
  Json failures = Json::array();
  // The HTML report's results: each one with what the gate expected of it.
  Json html_results = Json::array();
  bool gate_leaked = false;
  // The hostile gates' peak-memory results, in a table of their own.
  Json peaks = Json::array();
  std::vector<std::vector<std::string>> peak_rows;
  auto mib = [](const Json& v) {
    return v.is_number() && v.get<double>() >= 0 ? Fixed(Json(v.get<double>() / (1 << 20))) : "-";
  };
  for (const Json& run : runs) {
    if (run.value("kind", "") != "peak") continue;
    for (const Json& r : Field(run, "results")) {
      const bool within = r.value("verdict", "") == "within";
      if (!within) failures.push_back(run.value("test", "?") + " (" + r.value("preset", "?") + ")");
      peaks.push_back(r);
      peak_rows.push_back({r.value("preset", ""), r.value("scenario", ""),
                           mib(Field(r, "heap_rise")) + " / " + mib(Field(r, "heap_budget")),
                           mib(Field(r, "rss_rise")) + " / " + mib(Field(r, "rss_budget")),
                           within ? "within" : "OVER", Fixed(Field(r, "seconds")) + "s"});
    }
  }
  // A test that wrote its started mark and no result: it crashed, was
  // killed at its timeout, or failed before it measured. Never a pass.
  for (const Json& run : runs) {
    if (run.value("kind", "") != "incomplete") continue;
    failures.push_back(run.value("test", "?") + " (no result)");
    rows.push_back({"-", "-", run.value("test", "?"), "-", "-", "-", "no result", "FAIL", "-"});
  }
  for (const Json& run : runs) {
    const std::string kind = run.value("kind", "");
    if (kind == "peak" || kind == "incomplete") continue;
    const std::string expected = run.value("expected_series", "");
    for (const Json& r : Field(run, "results")) {
      std::string slope = "-", counted;
      for (const Json& s : Field(r, "series")) {
        if (Field(s, "kind") == "heap" && Field(s, "slope").is_number()) {
          slope = Fixed(Field(s, "slope")) + " [" + Fixed(Field(s, "slope_lower")) + ", " +
                  Fixed(Field(s, "slope_upper")) + "] vs " + Fixed(Field(s, "threshold"), 0);
        }
        if (Field(s, "kind") == "counted" && Field(s, "verdict") == "leak") {
          counted += (counted.empty() ? "" : ",") + Field(s, "name").get<std::string>();
        }
      }
      if (r.value("lsan_leaks", 0) != 0)
        counted += (counted.empty() ? "" : ",") + std::string("lsan");
      const std::string verdict = r.value("verdict", "");
      bool ok = verdict == "clean";
      if (kind != "gate") {
        ok = verdict == "leak";
        const Json& leaking = Field(r, "leaking_series");
        ok = ok && std::find(leaking.begin(), leaking.end(), Json(expected)) != leaking.end();
      }
      if (!ok) failures.push_back(run.value("test", "?") + " (" + r.value("preset", "?") + ")");
      if (kind == "gate" && verdict == "leak") gate_leaked = true;
      Json annotated = r;
      annotated["gate"] = ok ? "pass" : "FAIL";
      annotated["note"] =
          run.value("test", "?") +
          (kind == "gate" ? std::string(": must be clean") : ": canary, must leak in " + expected);
      html_results.push_back(std::move(annotated));
      rows.push_back({r.value("preset", ""), kind, r.value("scenario", ""),
                      std::to_string(r.value("iterations", 0)), slope,
                      counted.empty() ? "-" : counted, verdict, ok ? "pass" : "FAIL",
                      Fixed(Field(r, "seconds")) + "s"});
    }
  }

  std::vector<size_t> widths(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    widths[c] = head[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      std::cout << row[c] << std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::cout << "\n";
  };
  print(head);
  for (const auto& row : rows) print(row);
  if (!peak_rows.empty()) {
    const std::vector<std::string> peak_head = {
        "preset",  "hostile case", "heap peak MiB / budget", "rss peak MiB / budget",
        "verdict", "time"};
    std::vector<size_t> w(peak_head.size());
    for (size_t c = 0; c < w.size(); ++c) {
      w[c] = peak_head[c].size();
      for (const auto& row : peak_rows) w[c] = std::max(w[c], row[c].size());
    }
    std::cout << "\n";
    for (const auto* row : {&peak_head}) {
      for (size_t c = 0; c < row->size(); ++c)
        std::cout << (*row)[c] << std::string(w[c] - (*row)[c].size() + 2, ' ');
      std::cout << "\n";
    }
    for (const auto& row : peak_rows) {
      for (size_t c = 0; c < row.size(); ++c)
        std::cout << row[c] << std::string(w[c] - row[c].size() + 2, ' ');
      std::cout << "\n";
    }
  }
  for (const auto& [preset, s] : wall.items()) {
    std::cout << preset << ": gate run took " << Fixed(s, 0) << " s\n";
  }

  const Json report = {{"passed", failures.empty() && !rows.empty()},
                       {"failures", failures},
                       {"wall_seconds", wall},
                       {"peaks", peaks},
                       {"runs", runs}};
  std::error_code ec;
  if (fs::path(out_path).has_parent_path())
    fs::create_directories(fs::path(out_path).parent_path(), ec);
  std::ofstream(out_path) << report.dump(1, ' ', false, Json::error_handler_t::replace) << "\n";
  std::cout << "wrote " << out_path << "\n";
  if (!html_path.empty()) {
    const bool passed = failures.empty() && !rows.empty();
    Json environment = Json::object();
    std::string presets;
    for (const auto& [preset, dir] : inputs) presets += (presets.empty() ? "" : ", ") + preset;
    environment["presets"] = presets;
    for (const auto& [preset, s] : wall.items()) {
      environment["gate run " + preset] = Fixed(s, 0) + " s";
    }
    if (!failures.empty()) environment["failed"] = goose::JsonDump(failures);
    const Json document = {{"title", "leak gates"},
                           {"created", UtcNow()},
                           {"verdict", passed ? "clean" : (gate_leaked ? "leak" : "error")},
                           {"environment", std::move(environment)},
                           {"peaks", peaks},
                           {"results", std::move(html_results)}};
    if (!WriteFile(html_path, goose::scenarios::RenderHtmlReport(document))) {
      std::fprintf(stderr, "leakgate-report: cannot write %s\n", html_path.c_str());
      return 1;
    }
    std::cout << "wrote " << html_path << "\n";
  }
  if (rows.empty()) {
    std::fprintf(stderr, "leakgate-report: no gate results (did the gates run?)\n");
    return 1;
  }
  if (!failures.empty()) {
    std::fprintf(stderr, "leakgate-report: FAILED: %s\n", goose::JsonDump(failures).c_str());
    return 1;
  }
  return 0;
}
