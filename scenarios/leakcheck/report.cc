#include "scenarios/leakcheck/report.h"

#include <httplib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

#include "scenarios/runner/runner.h"
#include "scenarios/probe/heap_gauge.h"
#include "scenarios/report/html_report.h"

namespace goose::leakcheck {
namespace {

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string Fixed(const Json& v, int digits) {
  if (!v.is_number()) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v.get<double>();
  return out.str();
}

}  // namespace

Json EnvironmentJson() {
  Json env = Json::object();
  env["preset"] = scenarios::PresetName();
  env["leakcheck_heap_backend"] = std::string(probe::HeapGauge::Backend());
#if defined(__clang__)
  env["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  env["compiler"] = std::string("gcc ") + __VERSION__;
#endif
  env["cpp_httplib"] = CPPHTTPLIB_VERSION;
  env["nlohmann_json"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  utsname u{};
  if (::uname(&u) == 0) {
    env["kernel"] = std::string(u.sysname) + " " + u.release;
    env["machine"] = u.machine;
    env["hostname"] = u.nodename;
  }
  env["cpu_count"] = std::thread::hardware_concurrency();
  return env;
}

Json TargetJson(const Options& options, const std::string& builtin_command) {
  Json t = {{"kind", std::string(TargetKindName(options.target))}};
  switch (options.target) {
    case TargetKind::kBuiltin:
      t["command"] = builtin_command;
      t["description"] = "our goose-api and mock-llm from this build, on free loopback ports";
      break;
    case TargetKind::kCommand:
      t["command"] = options.target_command;
      t["description"] = "a --target command with mock-llm, watched from outside";
      break;
    case TargetKind::kAttach:
      t["url"] = options.url;
      t["pid"] = options.pid;
      if (!options.mock_url.empty()) t["mock_url"] = options.mock_url;
      t["description"] = "a server already running, watched through /proc of its pid";
      break;
  }
  if (!options.failpoints.empty()) t["failpoints"] = options.failpoints;
  if (options.concurrency > 0) t["concurrency"] = options.concurrency;
  return t;
}

Json BuildReport(const Json& target, const std::vector<Json>& results,
                 const std::vector<std::string>& notes) {
  // A leak found anywhere is the verdict, whatever else failed: a CI job
  // must read it as a leak, not as a broken setup. Else a scenario that
  // could not finish, or nothing judged at all, is an error.
  std::string verdict = results.empty() ? "error" : "clean";
  for (const Json& r : results) {
    const std::string v = r.value("verdict", "error");
    if (v == "leak") verdict = "leak";
    if (v == "error" && verdict == "clean") verdict = "error";
  }
  Json report = {{"title", "leakcheck report"},
                 {"created", NowUtc()},
                 {"verdict", verdict},
                 {"environment", EnvironmentJson()},
                 {"target", target},
                 {"results", results},
                 {"notes", notes}};
  return report;
}

int ExitStatusOf(const Json& report) {
  const std::string v = report.value("verdict", "error");
  if (v == "clean") return kExitClean;
  if (v == "leak") return kExitLeak;
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
  }
  // Findings: where the target's answers differ from our goose-api's.
  for (const Json& r : report.value("results", Json::array())) {
    for (const Json& d : r.value("deviations", Json::array())) {
      if (!d.is_object()) continue;
      out += r.value("scenario", "?") + ": deviation (" +
             std::to_string(d.value("count", int64_t{0})) + "x): " + d.value("what", "") + "\n";
    }
  }
  for (const Json& note : report.value("notes", Json::array())) {
    if (note.is_string()) out += "note: " + note.get<std::string>() + "\n";
  }
  out += "verdict: " + report.value("verdict", std::string("?")) + "\n";
  return out;
}

}  // namespace goose::leakcheck
