#include "scenarios/leakcheck/ci_summary.h"

#include <vector>

#include "core/base/file_io.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/report/json_fields.h"
#include "scenarios/report/junit_xml.h"
#include "scenarios/report/markdown_summary.h"
#include "scenarios/report/verdict_message.h"

namespace goose::leakcheck {
namespace {

namespace fs = std::filesystem;
using scenarios::JunitCase;

std::string AsText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : JsonDump(value);
}

std::string TargetKindOf(const Json& report) {
  const std::string kind = scenarios::JsonString(report.value("target", Json::object()), "kind");
  return kind.empty() ? "target" : kind;
}

// What a person reading the test case wants beside the verdict: how the
// heap was seen, and where the target's answers differ from ours.
std::string SystemOut(const Json& r) {
  std::string out;
  if (const std::string s = scenarios::JsonString(r, "heap_series"); !s.empty())
    out += "heap series: " + s + "\n";
  if (const std::string s = scenarios::JsonString(r, "heap_note"); !s.empty())
    out += "heap: " + s + "\n";
  if (const std::string s = scenarios::ThresholdFromFile(r); !s.empty()) out += s + "\n";
  for (const Json& d : r.value("deviations", Json::array())) {
    if (d.is_object()) {
      out += "deviation (" + std::to_string(d.value("count", int64_t{0})) +
             "x): " + d.value("what", "") + "\n";
    }
  }
  return out;
}

JunitCase CaseOf(const Json& r, const std::string& classname) {
  JunitCase c;
  c.classname = classname;
  c.name = r.value("scenario", "?");
  c.seconds = r.value("seconds", Json(0.0)).is_number() ? r["seconds"].get<double>() : 0.0;
  const std::string verdict = r.value("verdict", "");
  c.message = scenarios::VerdictMessage(r);
  c.text = scenarios::VerdictDetail(r);
  c.type = verdict;
  if (verdict == "leak" || verdict == "over_budget") {
    c.outcome = JunitCase::Outcome::kFailure;
  } else if (verdict == "skipped") {
    c.outcome = JunitCase::Outcome::kSkipped;
    c.message = r.value("skipped_reason", "");
  } else if (verdict != "clean") {
    c.outcome = JunitCase::Outcome::kError;
  }
  c.system_out = SystemOut(r);
  return c;
}

Status WriteMaking(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) return IoError("cannot make the folder of " + path.string() + ": " + ec.message());
  return WriteFile(path, text);
}

}  // namespace

std::string ReportJunit(const Json& report) {
  const std::string kind = TargetKindOf(report);
  scenarios::JunitSuite suite;
  suite.name = "leakcheck." + kind;
  suite.timestamp = scenarios::JsonString(report, "created");
  const Json environment = report.value("environment", Json::object());
  suite.hostname = scenarios::JsonString(environment, "hostname");
  const Json target = report.value("target", Json::object());
  for (const auto& [key, value] : target.items()) {
    suite.properties.emplace_back("target." + key, AsText(value));
  }
  for (const auto& [key, value] : environment.items()) {
    suite.properties.emplace_back(key, AsText(value));
  }
  suite.properties.emplace_back("verdict", report.value("verdict", "?"));
  for (const Json& r : report.value("results", Json::array())) {
    suite.cases.push_back(CaseOf(r, suite.name));
  }
  return scenarios::RenderJunit("leakcheck", {suite});
}

std::string ReportMarkdown(const Json& report, const std::string& html_link) {
  scenarios::MarkdownSummary md;
  md.title = "leakcheck";
  md.verdict = report.value("verdict", "?");
  const Json target = report.value("target", Json::object());
  md.subtitle = "target: " + TargetKindOf(report);
  if (const std::string command = scenarios::JsonString(target, "command"); !command.empty()) {
    md.subtitle += " (" + command + ")";
  } else if (const std::string url = scenarios::JsonString(target, "url"); !url.empty()) {
    md.subtitle += " (" + url + ")";
  }
  md.head = VerdictTableHead();
  md.rows = VerdictTableRows(report);
  md.results = report.value("results", Json::array());
  for (const Json& r : md.results) {
    const std::string verdict = r.value("verdict", "");
    if (verdict != "clean" && verdict != "skipped") {
      md.notes.push_back(r.value("scenario", "?") + ": " + scenarios::VerdictMessage(r));
    } else if (verdict == "skipped") {
      md.notes.push_back(r.value("scenario", "?") + ": skipped: " + r.value("skipped_reason", ""));
    }
    if (const std::string mine = scenarios::ThresholdFromFile(r); !mine.empty()) {
      md.notes.push_back(r.value("scenario", "?") + ": " + mine);
    }
  }
  md.html_link = html_link;
  return scenarios::RenderMarkdownSummary(md);
}

Status WriteCiSummaries(const Options& o, const Json& report) {
  if (!o.junit_file.empty()) {
    if (Status s = WriteMaking(o.junit_file, ReportJunit(report)); !s.ok()) return s;
  }
  if (!o.markdown_file.empty()) {
    const fs::path html = fs::absolute(o.report_dir / "report.html").lexically_normal();
    const fs::path from = fs::absolute(o.markdown_file).lexically_normal().parent_path();
    const std::string link = html.lexically_relative(from).generic_string();
    if (Status s = WriteMaking(o.markdown_file, ReportMarkdown(report, link)); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace goose::leakcheck
