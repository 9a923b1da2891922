#include "scenarios/leakcheck/report.h"

#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/text_table.h"
#include "scenarios/report/html_report.h"
#include "scenarios/report/report_text.h"
#include "scenarios/report/verdict_message.h"
#include "scenarios/runner/judge.h"

namespace goose::leakcheck {
namespace {

using scenarios::FixedOrDash;

// One row of the verdict table.
std::vector<std::string> VerdictRow(const Json& r) {
  std::string slope = "-";
  for (const Json& s : r.value("series", Json::array())) {
    if (s.value("kind", "") == "heap") slope = scenarios::HeapSlopeText(s);
  }
  std::string leaking;
  for (const Json& name : r.value("leaking_series", Json::array())) {
    if (name.is_string()) AppendJoined(&leaking, ",", name.get<std::string>());
  }
  std::string peak = "-";
  if (r.contains("peak") && r["peak"].value("rss_rise", -1.0) >= 0) {
    peak = FixedOrDash(Json(r["peak"]["rss_rise"].get<double>() / (1 << 20)), 1) + " MiB";
  }
  return {r.value("scenario", "?"),
          r.value("verdict", "?"),
          r.value("heap_series", "-"),
          slope,
          leaking.empty() ? "-" : leaking,
          peak,
          std::to_string(r.value("iterations", 0)),
          FixedOrDash(r.value("seconds", Json(0.0)), 1) + "s"};
}

}  // namespace

Json BuildReport(const Plan& plan, const std::vector<scenarios::ScenarioResult>& results) {
  std::vector<scenarios::Verdict> verdicts;
  Json list = Json::array();
  for (const scenarios::ScenarioResult& r : results) {
    verdicts.push_back(scenarios::Decide(r));
    list.push_back(r.ToJson());
  }
  return {{"title", "leakcheck report"},
          {"created", plan.created},
          {"verdict", std::string(scenarios::VerdictName(scenarios::DecideAll(verdicts)))},
          {"environment", plan.environment},
          {"target", plan.target},
          {"results", std::move(list)}};
}

int ExitStatusOf(const Json& report) {
  const std::string v = report.value("verdict", "error");
  if (v == "clean") return kExitClean;
  if (v == "leak" || v == "over_budget") return kExitLeak;
  return kExitUsage;
}

Status WriteReport(const std::filesystem::path& dir, const Json& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot make the report directory " + dir.string() + ": " + ec.message());
  const std::filesystem::path json = dir / "report.json";
  const std::filesystem::path html = dir / "report.html";
  if (Status s = WriteFile(json, report.dump(1, ' ', false, Json::error_handler_t::replace) + "\n");
      !s.ok()) {
    return s;
  }
  return WriteFile(html, scenarios::RenderHtmlReport(report));
}

std::vector<std::string> VerdictTableHead() {
  return {"scenario", "verdict",       "heap series", "heap slope /iter [99% bound] vs threshold",
          "leaking",  "peak rss rise", "iterations",  "time"};
}

std::vector<std::vector<std::string>> VerdictTableRows(const Json& report) {
  std::vector<std::vector<std::string>> rows;
  for (const Json& r : report.value("results", Json::array())) rows.push_back(VerdictRow(r));
  return rows;
}

std::string VerdictTable(const Json& report) {
  std::string out = RenderTextTable(VerdictTableHead(), VerdictTableRows(report));
  for (const Json& r : report.value("results", Json::array())) {
    const std::string error = r.value("error", "");
    if (!error.empty()) out += r.value("scenario", "?") + ": error: " + error + "\n";
    for (const Json& v : r.value("violations", Json::array())) {
      if (v.is_string())
        out += r.value("scenario", "?") + ": violation: " + v.get<std::string>() + "\n";
    }
    const std::string skipped = r.value("skipped_reason", "");
    if (!skipped.empty()) out += r.value("scenario", "?") + ": skipped: " + skipped + "\n";
    const std::string mine = scenarios::ThresholdFromFile(r);
    if (!mine.empty()) out += r.value("scenario", "?") + ": " + mine + "\n";
  }
  // Findings: where the target's answers differ from our goose-api's.
  for (const Json& r : report.value("results", Json::array())) {
    for (const Json& d : r.value("deviations", Json::array())) {
      if (!d.is_object()) continue;
      out += r.value("scenario", "?") + ": deviation (" +
             std::to_string(d.value("count", int64_t{0})) + "x): " + d.value("what", "") + "\n";
    }
  }
  out += "verdict: " + report.value("verdict", std::string("?")) + "\n";
  return out;
}

}  // namespace goose::leakcheck
