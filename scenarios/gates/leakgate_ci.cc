#include "scenarios/gates/leakgate_ci.h"

#include <map>

#include "scenarios/report/junit_xml.h"
#include "scenarios/report/markdown_summary.h"
#include "scenarios/report/verdict_message.h"

namespace goose::gates {
namespace {

using scenarios::JunitCase;

std::string PeakMib(const Json& bytes) {
  if (!bytes.is_number() || bytes.get<double>() < 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f MiB", bytes.get<double>() / (1 << 20));
  return buffer;
}

// A hostile case's peaks against its budgets.
std::string PeakFigures(const Json& r) {
  return "heap peak +" + PeakMib(r.value("heap_rise", Json())) + " (budget +" +
         PeakMib(r.value("heap_budget", Json())) + "), resident peak +" +
         PeakMib(r.value("rss_rise", Json())) + " (budget +" +
         PeakMib(r.value("rss_budget", Json())) + ")";
}

// Why an outcome failed, and its type; the case's body.
void Judge(const GateOutcome& o, JunitCase* c) {
  const Json& r = o.result;
  const std::string verdict = r.value("verdict", "");
  c->text = scenarios::VerdictDetail(r);
  if (o.kind == "incomplete") {
    c->outcome = JunitCase::Outcome::kError;
    c->type = "no_result";
    c->message =
        "no result: the test crashed, was killed at its timeout, or failed before it measured "
        "(its started mark is all it left)";
    return;
  }
  if (o.kind == "peak") {
    c->text = PeakFigures(r) + "\nanswer: " + r.value("answer", "-") + "\n";
    if (o.ok) return;
    c->outcome = JunitCase::Outcome::kFailure;
    c->type = verdict == "over" ? "over_budget" : "failed";
    c->message = (verdict == "over" ? "over budget: " : "the case failed within its budget: ") +
                 PeakFigures(r);
    return;
  }
  if (o.ok) return;
  if (verdict == "error" || verdict.empty()) {
    c->outcome = JunitCase::Outcome::kError;
    c->type = "error";
    c->message =
        verdict.empty() ? std::string("the result has no verdict") : scenarios::VerdictMessage(r);
    return;
  }
  c->outcome = JunitCase::Outcome::kFailure;
  if (o.kind == "gate") {
    c->type = verdict;
    c->message = "gate must be clean; " + scenarios::VerdictMessage(r);
  } else {
    c->type = "canary_silent";
    const std::string found = scenarios::VerdictMessage(r);
    c->message = "canary must leak in " + o.expected_series + "; it did not (verdict " + verdict +
                 (found.empty() ? std::string() : "; " + found) + ")";
  }
}

JunitCase CaseOf(const GateOutcome& o, bool several) {
  JunitCase c;
  c.classname = "leakgate." + o.preset;
  c.name = o.test;
  if (several) c.name += "/" + o.result.value("scenario", "?");
  const Json seconds = o.result.value("seconds", Json());
  c.seconds = seconds.is_number() ? seconds.get<double>() : 0;
  Judge(o, &c);
  c.system_out = "preset: " + o.preset + "\n";
  if (!o.shard.empty()) c.system_out += "shard: " + o.shard + "\n";
  c.system_out += "kind: " + o.kind + "\n";
  if (o.kind == "canary") c.system_out += "must leak in: " + o.expected_series + "\n";
  if (o.kind == "canary" && o.ok) c.system_out += scenarios::VerdictMessage(o.result) + "\n";
  return c;
}

}  // namespace

std::string GateJunit(const GateVerdicts& v, const std::vector<std::string>& presets,
                      const std::string& created) {
  std::map<std::string, size_t> per_test;  // results per (preset, test)
  for (const GateOutcome& o : v.outcomes) ++per_test[o.preset + "\n" + o.test];
  std::vector<scenarios::JunitSuite> suites;
  for (const std::string& preset : presets) {
    scenarios::JunitSuite suite;
    suite.name = "leakgate." + preset;
    suite.timestamp = created;
    suite.properties.emplace_back("preset", preset);
    for (const GateOutcome& o : v.outcomes) {
      if (o.preset == preset)
        suite.cases.push_back(CaseOf(o, per_test[preset + "\n" + o.test] > 1));
    }
    suites.push_back(std::move(suite));
  }
  return scenarios::RenderJunit("leakgate", suites);
}

std::string GateMarkdown(const GateVerdicts& v, const std::string& subtitle,
                         const std::string& html_link) {
  scenarios::MarkdownSummary md;
  md.title = "leak gates";
  md.verdict = v.verdict();
  md.subtitle = subtitle;
  md.head = v.head;
  md.rows = v.rows;
  for (const Json& f : v.failures) md.notes.push_back("FAILED: " + f.get<std::string>());
  for (const GateOutcome& o : v.outcomes) {
    if (o.kind == "gate") md.results.push_back(o.result);
  }
  if (!v.peak_rows.empty()) {
    size_t over = 0;
    for (const GateOutcome& o : v.outcomes) over += o.kind == "peak" && !o.ok ? 1 : 0;
    md.collapsed.push_back(
        {"Peak memory under hostile peers: " + std::to_string(v.peak_rows.size()) + " cases, " +
             std::to_string(over) + " failed",
         v.peak_head, v.peak_rows});
  }
  md.html_link = html_link;
  return scenarios::RenderMarkdownSummary(md);
}

}  // namespace goose::gates
