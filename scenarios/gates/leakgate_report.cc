// leakgate-report: merges the per-test JSON results the leak gates wrote
// (GOOSE_GATE_REPORT_DIR) into one report, prints the verdict table, and
// exits 1 when a gate is not clean, a canary did not flag its series, a
// hostile case went over its budget, or a test left no result (its started
// mark, harness/gate_report.h, is still there: it crashed or timed out).
// With --html FILE it also writes the same results as one self-contained
// HTML page (scenarios/report/html_report.h): the verdict table, then the
// plots of every gate and canary. --junit FILE and --markdown FILE write
// the verdicts for a CI engine (leakgate_ci.h).
//
//   leakgate-report --out reports/leakgate.json [--html reports/leakgate.html] \
//       [--junit reports/leakgate-junit.xml] [--markdown reports/leakgate.md] \
//       asan=reports/leakgate-runs/asan heapprof:1of2=DIR heapprof:2of2=DIR ...
//
// Each PRESET=DIR argument names a directory of <test>.json files, and
// PRESET:SHARD=DIR one shard of a preset's run; the shards of a preset are
// merged (leakgate_inputs.h: a test found in two shards with different
// results is an error, exit 2). An optional DIR/.seconds holds the wall
// time of that run.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/base/text_table.h"
#include "core/base/utc_time.h"
#include "scenarios/gates/leakgate_args.h"
#include "scenarios/gates/leakgate_ci.h"
#include "scenarios/gates/leakgate_inputs.h"
#include "scenarios/gates/leakgate_verdicts.h"
#include "scenarios/report/html_report.h"
#include "scenarios/report/report_text.h"

namespace {

namespace fs = std::filesystem;
using goose::Json;
using goose::gates::GateRuns;
using goose::gates::GateVerdicts;
using goose::gates::ReportArgs;
using goose::scenarios::FixedOrDash;

void PrintTables(const GateVerdicts& v, const Json& wall) {
  std::cout << goose::RenderTextTable(v.head, v.rows);
  if (!v.peak_rows.empty()) std::cout << "\n" << goose::RenderTextTable(v.peak_head, v.peak_rows);
  for (const auto& [label, s] : wall.items()) {
    std::cout << label << ": gate run took " << FixedOrDash(s, 0) << " s\n";
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

// "asan, heapprof (shards 1of2, 2of2)": what was merged.
std::string PresetsText(const ReportArgs& args, const GateRuns& in) {
  std::vector<std::string> parts;
  for (const std::string& preset : in.presets) {
    std::vector<std::string> shards;
    for (const auto& input : args.inputs) {
      if (input.preset == preset && !input.shard.empty()) shards.push_back(input.shard);
    }
    parts.push_back(shards.empty() ? preset
                                   : preset + " (shards " + goose::Join(shards, ", ") + ")");
  }
  return goose::Join(parts, ", ");
}

std::string HtmlPage(const ReportArgs& args, const GateRuns& in, const GateVerdicts& v,
                     const std::string& created) {
  Json environment = Json::object();
  environment["presets"] = PresetsText(args, in);
  for (const auto& [label, s] : in.wall.items()) {
    environment["gate run " + label] = FixedOrDash(s, 0) + " s";
  }
  if (!v.failures.empty()) environment["failed"] = goose::JsonDump(v.failures);
  const Json document = {{"title", "leak gates"},  {"created", created},
                         {"verdict", v.verdict()}, {"environment", std::move(environment)},
                         {"peaks", v.peaks},       {"results", v.html_results}};
  return goose::scenarios::RenderHtmlReport(document);
}

// The HTML page's path relative to the Markdown file's folder.
std::string RelativeLink(const fs::path& target, const fs::path& from_file) {
  const fs::path to = fs::absolute(target).lexically_normal();
  const fs::path from = fs::absolute(from_file).lexically_normal().parent_path();
  return to.lexically_relative(from).generic_string();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  const std::optional<ReportArgs> args = goose::gates::ParseReportArgs(arguments);
  if (!args) {
    std::fprintf(stderr, "%s", goose::gates::UsageLine().c_str());
    return 2;
  }
  goose::Result<GateRuns> in = goose::gates::LoadGateRuns(args->inputs);
  if (!in.ok()) {
    std::fprintf(stderr, "leakgate-report: %s\n", in.status().message().c_str());
    return in.status().code() == goose::StatusCode::kInvalidArgument ? 2 : 1;
  }
  const GateVerdicts v = goose::gates::JudgeGateRuns(in->runs, in->sharded);
  PrintTables(v, in->wall);

  const std::string created = goose::UtcNow();
  const Json report = {{"passed", v.passed()},   {"verdict", v.verdict()},
                       {"failures", v.failures}, {"wall_seconds", in->wall},
                       {"peaks", v.peaks},       {"runs", in->runs}};
  if (!WriteOutput(args->out, report.dump(1, ' ', false, Json::error_handler_t::replace) + "\n")) {
    return 1;
  }
  if (!args->html.empty() && !WriteOutput(args->html, HtmlPage(*args, *in, v, created))) return 1;
  if (!args->junit.empty() &&
      !WriteOutput(args->junit, goose::gates::GateJunit(v, in->presets, created))) {
    return 1;
  }
  if (!args->markdown.empty()) {
    const std::string link = args->html.empty() ? "" : RelativeLink(args->html, args->markdown);
    if (!WriteOutput(args->markdown,
                     goose::gates::GateMarkdown(v, "presets: " + PresetsText(*args, *in), link))) {
      return 1;
    }
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
