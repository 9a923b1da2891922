#include "scenarios/leakcheck/report.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "scenarios/report/html_report.h"
#include "scenarios/runner/judge.h"

namespace goose::leakcheck {
namespace {

std::string Fixed(const Json& v, int digits) {
  if (!v.is_number()) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v.get<double>();
  return out.str();
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
  {
    std::ofstream out(json, std::ios::trunc);
    out << report.dump(1, ' ', false, Json::error_handler_t::replace) << "\n";
    if (!out) return IoError("cannot write " + json.string());
  }
  {
    std::ofstream out(html, std::ios::trunc);
    out << scenarios::RenderHtmlReport(report);
    if (!out) return IoError("cannot write " + html.string());
  }
  return Status::Ok();
}

std::string VerdictTable(const Json& report) {
  const std::vector<std::string> head = {
      "scenario", "verdict",       "heap series", "heap slope /iter [99% bound] vs threshold",
      "leaking",  "peak rss rise", "iterations",  "time"};
  std::vector<std::vector<std::string>> rows;
  for (const Json& r : report.value("results", Json::array())) {
    std::string slope = "-";
    if (r.contains("series")) {
      for (const Json& s : r["series"]) {
        if (s.value("kind", "") == "heap" && s.contains("slope") && s["slope"].is_number()) {
          slope = Fixed(s["slope"], 1) + " [" + Fixed(s["slope_lower"], 1) + ", " +
                  Fixed(s["slope_upper"], 1) + "] vs " + Fixed(s["threshold"], 0);
        }
      }
    }
    std::string leaking;
    for (const Json& name : r.value("leaking_series", Json::array())) {
      if (name.is_string()) leaking += (leaking.empty() ? "" : ",") + name.get<std::string>();
    }
    std::string peak = "-";
    if (r.contains("peak") && r["peak"].value("rss_rise", -1.0) >= 0) {
      peak = Fixed(Json(r["peak"]["rss_rise"].get<double>() / (1 << 20)), 1) + " MiB";
    }
    rows.push_back({r.value("scenario", "?"), r.value("verdict", "?"), r.value("heap_series", "-"),
                    slope, leaking.empty() ? "-" : leaking, peak,
                    std::to_string(r.value("iterations", 0)),
                    Fixed(r.value("seconds", Json(0.0)), 1) + "s"});
  }
  std::vector<size_t> widths(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    widths[c] = head[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  auto print = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out += "\n";
  };
  print(head);
  for (const auto& row : rows) print(row);
  for (const Json& r : report.value("results", Json::array())) {
    const std::string error = r.value("error", "");
    if (!error.empty()) out += r.value("scenario", "?") + ": error: " + error + "\n";
    const std::string skipped = r.value("skipped_reason", "");
    if (!skipped.empty()) out += r.value("scenario", "?") + ": skipped: " + skipped + "\n";
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
