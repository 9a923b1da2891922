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
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/file_io.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/text_table.h"
#include "core/base/utc_time.h"
#include "scenarios/report/html_report.h"
#include "scenarios/report/report_text.h"

namespace {

namespace fs = std::filesystem;
using goose::Json;
using goose::scenarios::FixedOrDash;
using goose::scenarios::HeapSlopeText;

using Cells = std::vector<std::string>;

// `json[key]`, or null when `json` is not an object or has no such key: a
// result written by an older or a crashed gate must not crash the report.
const Json& Field(const Json& json, const char* key) {
  static const Json kNull;
  if (!json.is_object()) return kNull;
  auto it = json.find(key);
  return it == json.end() ? kNull : *it;
}

int Usage() {
  std::fprintf(stderr, "usage: leakgate-report --out FILE [--html FILE] PRESET=DIR...\n");
  return 2;
}

struct Args {
  std::string out_path, html_path;
  std::vector<std::pair<std::string, fs::path>> inputs;  // PRESET=DIR, in order
};

// The command line; nullopt for --help or anything it does not take.
std::optional<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      args.out_path = argv[++i];
    } else if (arg == "--html" && i + 1 < argc) {
      args.html_path = argv[++i];
    } else if (const size_t eq = arg.find('=');
               arg != "--help" && eq != std::string::npos && eq > 0) {
      args.inputs.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else {
      return std::nullopt;
    }
  }
  if (args.out_path.empty() || args.inputs.empty()) return std::nullopt;
  return args;
}

// What the gates wrote: every DIR/*.json of every preset, in name order,
// and the wall time of each preset's run (DIR/.seconds) when it is there.
struct Inputs {
  Json runs = Json::array();
  Json wall = Json::object();
};

goose::Result<Inputs> LoadInputs(const Args& args) {
  Inputs in;
  for (const auto& [preset, dir] : args.inputs) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      goose::Result<Json> parsed = goose::ReadJsonFile(file);
      if (!parsed.ok()) return parsed.status();
      in.runs.push_back(std::move(*parsed));
    }
    std::ifstream seconds(dir / ".seconds");
    double s = 0;
    if (seconds >> s) in.wall[preset] = s;
  }
  return in;
}

// The verdicts: the table rows and what failed, as the JSON report, the
// HTML page and the exit status need them.
struct Verdicts {
  std::vector<Cells> rows;       // gates, canaries and tests without a result
  std::vector<Cells> peak_rows;  // the hostile gates' peak-memory results
  Json failures = Json::array();
  Json peaks = Json::array();
  Json html_results = Json::array();  // each result with what its gate expected
  bool gate_leaked = false;

  bool passed() const { return failures.empty() && !rows.empty(); }
};

std::string Mib(const Json& bytes) {
  return bytes.is_number() && bytes.get<double>() >= 0
             ? FixedOrDash(Json(bytes.get<double>() / (1 << 20)))
             : "-";
}

void JudgePeaks(const Json& run, Verdicts* v) {
  for (const Json& r : Field(run, "results")) {
    const bool within = r.value("verdict", "") == "within";
    if (!within)
      v->failures.push_back(run.value("test", "?") + " (" + r.value("preset", "?") + ")");
    v->peaks.push_back(r);
    v->peak_rows.push_back({r.value("preset", ""), r.value("scenario", ""),
                            Mib(Field(r, "heap_rise")) + " / " + Mib(Field(r, "heap_budget")),
                            Mib(Field(r, "rss_rise")) + " / " + Mib(Field(r, "rss_budget")),
                            within ? "within" : "OVER", FixedOrDash(Field(r, "seconds")) + "s"});
  }
}

// A test that wrote its started mark and no result: it crashed, was
// killed at its timeout, or failed before it measured. Never a pass.
void JudgeIncomplete(const Json& run, Verdicts* v) {
  v->failures.push_back(run.value("test", "?") + " (no result)");
  v->rows.push_back({"-", "-", run.value("test", "?"), "-", "-", "-", "no result", "FAIL", "-"});
}

// A gate must be clean; a canary must leak, in its expected series.
void JudgeGateOrCanary(const Json& run, const std::string& kind, Verdicts* v) {
  const std::string expected = run.value("expected_series", "");
  for (const Json& r : Field(run, "results")) {
    std::string slope = "-", counted;
    for (const Json& s : Field(r, "series")) {
      if (Field(s, "kind") == "heap" && Field(s, "slope").is_number()) slope = HeapSlopeText(s);
      if (Field(s, "kind") == "counted" && Field(s, "verdict") == "leak") {
        goose::AppendJoined(&counted, ",", Field(s, "name").get<std::string>());
      }
    }
    if (r.value("lsan_leaks", 0) != 0) goose::AppendJoined(&counted, ",", "lsan");
    const std::string verdict = r.value("verdict", "");
    bool ok = verdict == "clean";
    if (kind != "gate") {
      const Json& leaking = Field(r, "leaking_series");
      ok = verdict == "leak" &&
           std::find(leaking.begin(), leaking.end(), Json(expected)) != leaking.end();
    }
    if (!ok) v->failures.push_back(run.value("test", "?") + " (" + r.value("preset", "?") + ")");
    if (kind == "gate" && verdict == "leak") v->gate_leaked = true;
    Json annotated = r;
    annotated["gate"] = ok ? "pass" : "FAIL";
    annotated["note"] =
        run.value("test", "?") +
        (kind == "gate" ? std::string(": must be clean") : ": canary, must leak in " + expected);
    v->html_results.push_back(std::move(annotated));
    v->rows.push_back({r.value("preset", ""), kind, r.value("scenario", ""),
                       std::to_string(r.value("iterations", 0)), slope,
                       counted.empty() ? "-" : counted, verdict, ok ? "pass" : "FAIL",
                       FixedOrDash(Field(r, "seconds")) + "s"});
  }
}

// Peaks first, then the tests without a result, then gates and canaries:
// the order of the tables and of the failures.
Verdicts Judge(const Json& runs) {
  Verdicts v;
  for (const Json& run : runs) {
    if (run.value("kind", "") == "peak") JudgePeaks(run, &v);
  }
  for (const Json& run : runs) {
    if (run.value("kind", "") == "incomplete") JudgeIncomplete(run, &v);
  }
  for (const Json& run : runs) {
    const std::string kind = run.value("kind", "");
    if (kind != "peak" && kind != "incomplete") JudgeGateOrCanary(run, kind, &v);
  }
  return v;
}

void PrintTables(const Verdicts& v, const Json& wall) {
  std::cout << goose::RenderTextTable(
      {"preset", "kind", "scenario", "iters", "heap slope B/iter [99% bound] vs threshold",
       "counted grown", "verdict", "gate", "time"},
      v.rows);
  if (!v.peak_rows.empty()) {
    std::cout << "\n"
              << goose::RenderTextTable({"preset", "hostile case", "heap peak MiB / budget",
                                         "rss peak MiB / budget", "verdict", "time"},
                                        v.peak_rows);
  }
  for (const auto& [preset, s] : wall.items()) {
    std::cout << preset << ": gate run took " << FixedOrDash(s, 0) << " s\n";
  }
}

// Writes `text` to `path`, making its folder first.
bool WriteOutput(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (goose::Status s = goose::WriteFile(path, text); !s.ok()) {
    std::fprintf(stderr, "leakgate-report: %s\n", s.ToString().c_str());
    return false;
  }
  std::cout << "wrote " << path.string() << "\n";
  return true;
}

std::string HtmlPage(const Args& args, const Inputs& in, const Verdicts& v) {
  Json environment = Json::object();
  std::vector<std::string> presets;
  for (const auto& [preset, dir] : args.inputs) presets.push_back(preset);
  environment["presets"] = goose::Join(presets, ", ");
  for (const auto& [preset, s] : in.wall.items()) {
    environment["gate run " + preset] = FixedOrDash(s, 0) + " s";
  }
  if (!v.failures.empty()) environment["failed"] = goose::JsonDump(v.failures);
  const Json document = {{"title", "leak gates"},
                         {"created", goose::UtcNow()},
                         {"verdict", v.passed() ? "clean" : (v.gate_leaked ? "leak" : "error")},
                         {"environment", std::move(environment)},
                         {"peaks", v.peaks},
                         {"results", v.html_results}};
  return goose::scenarios::RenderHtmlReport(document);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Args> args = ParseArgs(argc, argv);
  if (!args) return Usage();
  goose::Result<Inputs> in = LoadInputs(*args);
  if (!in.ok()) {
    std::fprintf(stderr, "leakgate-report: %s\n", in.status().ToString().c_str());
    return 1;
  }
  Verdicts v = Judge(in->runs);
  PrintTables(v, in->wall);

  const Json report = {{"passed", v.passed()},
                       {"failures", v.failures},
                       {"wall_seconds", in->wall},
                       {"peaks", v.peaks},
                       {"runs", in->runs}};
  if (!WriteOutput(args->out_path,
                   report.dump(1, ' ', false, Json::error_handler_t::replace) + "\n")) {
    return 1;
  }
  if (!args->html_path.empty() && !WriteOutput(args->html_path, HtmlPage(*args, *in, v))) {
    return 1;
  }
  if (v.rows.empty()) {
    std::fprintf(stderr, "leakgate-report: no gate results (did the gates run?)\n");
    return 1;
  }
  if (!v.failures.empty()) {
    std::fprintf(stderr, "leakgate-report: FAILED: %s\n", goose::JsonDump(v.failures).c_str());
    return 1;
  }
  return 0;
}
