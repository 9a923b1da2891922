#include "scenarios/report/html_report.h"

#include <cmath>
#include <string_view>
#include <vector>

#include "core/base/strings.h"
#include "scenarios/report/html_text.h"
#include "scenarios/report/svg_plot.h"
#include "scenarios/report/verdict_message.h"

namespace goose::scenarios {
namespace {

// The series every result plots when it has samples, in this order; any
// other series is plotted too when it leaks.
constexpr std::string_view kPlotted[] = {"heap_bytes", "rss_bytes", "open_fds", "threads",
                                         "live_streams"};

// No '<' anywhere in here: the page must stay balanced for simple checkers.
constexpr const char* kStyle = R"css(
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:#1f2328;font:14px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:19px;margin:18px 0 8px;word-break:break-word}
section h2{margin-top:0}
h3{font-size:15px;margin:16px 0 6px}
a{color:#0969da}
.meta{color:#57606a;margin:0 0 8px}
.badge{display:inline-block;min-width:58px;text-align:center;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600;font-size:12px;letter-spacing:.03em;text-transform:uppercase;vertical-align:middle}
.v-clean{background:#1a7f37}.v-leak{background:#cf222e}.v-error{background:#9a6700}.v-over_budget{background:#bc4c00}.v-skipped{background:#8c959f}.v-unknown{background:#6e7781}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td{overflow-wrap:anywhere}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
tr.leak td{background:#fff5f5}
section.result{background:#fff;border:1px solid #d0d7de;border-left:8px solid #6e7781;border-radius:6px;padding:16px 18px;margin:22px 0}
section.r-clean{border-left-color:#1a7f37}section.r-leak{border-left-color:#cf222e}section.r-error{border-left-color:#9a6700}section.r-over_budget{border-left-color:#bc4c00}section.r-skipped{border-left-color:#8c959f}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
figure{margin:0;border:1px solid #eaeef2;border-radius:6px;padding:8px;background:#fff}
figcaption{font-size:13px;margin-bottom:4px}
svg.plot{display:block;width:100%;height:auto}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;overflow-x:auto;font-size:12px;line-height:1.35}
.error{color:#9a6700;font-weight:600}
.note{color:#57606a;font-style:italic}
details.peaks{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:18px 0}
details.peaks summary{cursor:pointer;font-size:17px;font-weight:600}
table.peaks{font-size:12px}
dl.env{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 0}
dl.env dt{color:#57606a}dl.env dd{margin:0;word-break:break-all}
)css";

const Json& Null() {
  static const Json* const kNull = new Json(nullptr);
  return *kNull;
}

// `object[key]`, or null when `object` is not an object or has no `key`.
const Json& Field(const Json& object, std::string_view key) {
  if (!object.is_object()) return Null();
  const auto it = object.find(key);
  return it == object.end() ? Null() : *it;
}

// A string or number field as text; anything else (missing, null,
// another type) as "-".
std::string Text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return FormatNumber(value.get<double>(), 6);
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return "-";
}
std::string Text(const Json& object, std::string_view key) { return Text(Field(object, key)); }

double Number(const Json& object, std::string_view key) {
  const Json& v = Field(object, key);
  return v.is_number() ? v.get<double>() : std::nan("");
}

std::string VerdictClass(const std::string& verdict) {
  for (const char* known : {"clean", "leak", "error", "over_budget", "skipped"}) {
    if (verdict == known) return verdict;
  }
  return "unknown";
}

std::string Badge(const std::string& verdict) {
  return "<span class=\"badge v-" + VerdictClass(verdict) + "\">" + HtmlEscape(verdict) + "</span>";
}

// "leak" series names of a result, plus "lsan" when LeakSanitizer reported.
std::string LeakingList(const Json& result) {
  std::string out;
  const Json& leaking = Field(result, "leaking_series");
  if (leaking.is_array()) {
    for (const Json& name : leaking) AppendJoined(&out, ", ", Text(name));
  }
  // ScenarioResult::LeakingSeries() names "lsan" itself; other writers may not.
  const Json& lsan = Field(result, "lsan_leaks");
  const bool named =
      out == "lsan" || out.find(", lsan") != std::string::npos || out.rfind("lsan,", 0) == 0;
  if (lsan.is_number() && lsan.get<double>() != 0 && !named) {
    AppendJoined(&out, ", ", "lsan");
  }
  return out.empty() ? "-" : out;
}

std::string Cell(const std::string& text, bool numeric = false) {
  return std::string(numeric ? "<td class=\"num\">" : "<td>") + HtmlEscape(text) + "</td>";
}

bool AnyResultHas(const Json& results, std::string_view key) {
  for (const Json& r : results) {
    if (Field(r, key).is_string()) return true;
  }
  return false;
}

std::string VerdictTable(const Json& results) {
  const bool gate_column = AnyResultHas(results, "gate");
  const bool shard_column = AnyResultHas(results, "shard");
  std::string html =
      "<div class=\"wrap\"><table class=\"verdicts\"><thead><tr><th>scenario</th><th>preset</th>";
  if (shard_column) html += "<th>shard</th>";
  html += "<th>verdict</th><th>leaking series</th><th>iterations</th><th>seconds</th>";
  if (gate_column) html += "<th>gate</th>";
  html += "</tr></thead><tbody>";
  for (size_t i = 0; i < results.size(); ++i) {
    const Json& r = results[i];
    const std::string verdict = Text(r, "verdict");
    // With a gate column a canary's "leak" is what it should be: tint failures only.
    const bool bad = gate_column ? Text(r, "gate") == "FAIL" : verdict == "leak";
    html += "<tr" + std::string(bad ? " class=\"leak\"" : "") + "><td><a href=\"#result-" +
            std::to_string(i + 1) + "\">" + HtmlEscape(Text(r, "scenario")) + "</a>";
    if (Field(r, "note").is_string()) {
      html += "<br /><span class=\"note\">" + HtmlEscape(Text(r, "note")) + "</span>";
    }
    html += "</td>" + Cell(Text(r, "preset"));
    if (shard_column) html += Cell(Text(r, "shard"));
    html += "<td>" + Badge(verdict) + "</td>" + Cell(LeakingList(r)) +
            Cell(Text(r, "iterations"), true) + Cell(FormatNumber(Number(r, "seconds")), true);
    if (gate_column) html += Cell(Text(r, "gate"));
    html += "</tr>";
  }
  return html + "</tbody></table></div>";
}

std::vector<double> Samples(const Json& series) {
  std::vector<double> samples;
  const Json& list = Field(series, "samples");
  if (!list.is_array()) return samples;
  samples.reserve(list.size());
  for (const Json& v : list) samples.push_back(v.is_number() ? v.get<double>() : std::nan(""));
  return samples;
}

bool HasFiniteSample(const std::vector<double>& samples) {
  for (const double v : samples) {
    if (std::isfinite(v)) return true;
  }
  return false;
}

std::string Interval(const Json& series, const std::string& unit) {
  const double lower = Number(series, "slope_lower"), upper = Number(series, "slope_upper");
  if (!std::isfinite(lower) || !std::isfinite(upper)) return "-";
  return "[" + FormatQuantity(lower, unit) + ", " + FormatQuantity(upper, unit) + "]";
}

std::string Figure(const Json& series, std::vector<double> samples) {
  const std::string name = Text(series, "name");
  const std::string unit = Field(series, "unit").is_string() ? Text(series, "unit") : "";
  const std::string kind = Text(series, "kind");
  const std::string verdict = Text(series, "verdict");
  PlotSeries plot;
  plot.name = name;
  plot.unit = unit;
  plot.samples = std::move(samples);
  if (const double slope = Number(series, "slope"); std::isfinite(slope)) plot.slope = slope;
  plot.leak = verdict == "leak";

  std::string caption = "<strong>" + HtmlEscape(name) + "</strong> " + Badge(verdict) + " slope " +
                        HtmlEscape(FormatQuantity(Number(series, "slope"), unit)) + "/iter " +
                        HtmlEscape(Interval(series, unit));
  if (kind == "heap") {
    caption +=
        " vs threshold " + HtmlEscape(FormatQuantity(Number(series, "threshold"), unit)) + "/iter";
  } else if (kind == "counted") {
    caption += "; baseline " + HtmlEscape(FormatQuantity(Number(series, "baseline"), unit)) +
               ", settled " + HtmlEscape(FormatQuantity(Number(series, "settled"), unit));
  } else {
    caption += " (recorded, not judged)";
  }
  return "<figure><figcaption>" + caption + "</figcaption>" + RenderSvgPlot(plot) + "</figure>";
}

std::string SeriesTable(const Json& series_list, const Json& result) {
  const double confidence = Number(result, "slope_confidence");
  const std::string interval = std::isfinite(confidence)
                                   ? FormatNumber(confidence * 100) + "% interval"
                                   : std::string("interval");
  std::string html =
      "<div class=\"wrap\"><table><thead><tr><th>series</th><th>kind</th><th>slope/iter</th><th>" +
      HtmlEscape(interval) +
      "</th><th>threshold</th><th>baseline</th><th>settled</th><th>total growth</th>"
      "<th>verdict</th><th>detail</th></tr></thead><tbody>";
  for (const Json& s : series_list) {
    const std::string unit = Field(s, "unit").is_string() ? Text(s, "unit") : "";
    const std::string verdict = Text(s, "verdict");
    html +=
        "<tr" + std::string(verdict == "leak" ? " class=\"leak\"" : "") + ">" +
        Cell(Text(s, "name")) + Cell(Text(s, "kind")) +
        Cell(FormatQuantity(Number(s, "slope"), unit), true) + Cell(Interval(s, unit), true) +
        Cell(Text(s, "kind") == "info" ? "-" : FormatQuantity(Number(s, "threshold"), unit), true) +
        Cell(FormatQuantity(Number(s, "baseline"), unit), true) +
        Cell(FormatQuantity(Number(s, "settled"), unit), true) +
        Cell(FormatQuantity(Number(s, "total_growth"), unit), true) + "<td>" + Badge(verdict) +
        "</td>" + Cell(Text(s, "detail")) + "</tr>";
  }
  return html + "</tbody></table></div>";
}

// A link target beside the report: a relative path, no scheme ("x:"), so a
// report cannot smuggle in a javascript: or remote URL.
bool IsRelativeFileLink(const std::string& link) {
  return !link.empty() && link.find(':') == std::string::npos && link.front() != '/' &&
         link.rfind("//", 0) != 0;
}

std::string Mib(const Json& bytes) {
  if (!bytes.is_number() || bytes.get<double>() < 0) return "-";
  return FormatNumber(bytes.get<double>() / (1 << 20)) + " MiB";
}

// What ran and how it ended: description, counts, error, skip, LSan.
std::string ResultHeader(const Json& result) {
  std::string html;
  if (Field(result, "note").is_string()) {
    html += "<p class=\"note\">" + HtmlEscape(Text(result, "note")) + "</p>";
  }
  if (Field(result, "description").is_string()) {
    html += "<p>" + HtmlEscape(Text(result, "description")) + "</p>";
  }
  const std::string shard =
      Field(result, "shard").is_string() ? " · shard " + HtmlEscape(Text(result, "shard")) : "";
  html += "<p class=\"meta\">preset " + HtmlEscape(Text(result, "preset")) + shard +
          " · heap backend " + HtmlEscape(Text(result, "heap_backend")) + " · " +
          HtmlEscape(Text(result, "warmup")) + " warm-up + " +
          HtmlEscape(Text(result, "iterations")) + " measured iterations · " +
          HtmlEscape(Text(result, "requests")) + " requests · " +
          HtmlEscape(FormatNumber(Number(result, "seconds"))) + " s</p>";
  if (const std::string error = Text(result, "error"); error != "-" && !error.empty()) {
    html += "<p class=\"error\">error: " + HtmlEscape(error) + "</p>";
  }
  if (const std::string why = Text(result, "skipped_reason"); why != "-" && !why.empty()) {
    html += "<p class=\"note\">skipped: " + HtmlEscape(why) + "</p>";
  }
  if (const double lsan = Number(result, "lsan_leaks"); std::isfinite(lsan) && lsan != 0) {
    html += "<p class=\"error\">LeakSanitizer reported unreachable memory (" +
            HtmlEscape(FormatNumber(lsan)) + " report(s); see the test log).</p>";
  }
  for (const Json& v :
       Field(result, "violations").is_array() ? Field(result, "violations") : Json::array()) {
    if (v.is_string()) html += "<p class=\"error\">violation: " + HtmlEscape(Text(v)) + "</p>";
  }
  return html;
}

// What was found beside the verdict: how the heap is seen, answers that
// differ from ours, the threshold's reason, the peaks.
std::string ResultFindings(const Json& result) {
  std::string html;
  // leakcheck on a server we did not write: why its heap is seen as it is,
  // and where its answers differ from our goose-api's (findings).
  if (const std::string note = Text(result, "heap_note"); note != "-" && !note.empty()) {
    html += "<p class=\"meta\">heap: " + HtmlEscape(note) + "</p>";
  }
  if (const Json& deviations = Field(result, "deviations");
      deviations.is_array() && !deviations.empty()) {
    html += "<p class=\"meta\">answers that differ from our goose-api's:</p><ul>";
    for (const Json& d : deviations) {
      html += "<li>" + HtmlEscape(Text(d, "what")) + " (" + HtmlEscape(Text(d, "count")) +
              "&times;)</li>";
    }
    html += "</ul>";
  }
  if (const std::string mine = ThresholdFromFile(result); !mine.empty()) {
    html += "<p class=\"meta\">" + HtmlEscape(mine) + "</p>";
  } else if (const std::string reason = Text(result, "heap_threshold_reason");
             reason != "-" && !reason.empty()) {
    html += "<p class=\"meta\">heap threshold: " + HtmlEscape(reason) + "</p>";
  }
  if (const Json& peak = Field(result, "peak"); peak.is_object()) {
    html += "<p class=\"meta\">peak over the measured iterations: heap +" +
            HtmlEscape(Mib(Field(peak, "heap_rise"))) + ", resident +" +
            HtmlEscape(Mib(Field(peak, "rss_rise"))) + " (peak " +
            HtmlEscape(Mib(Field(peak, "rss_peak"))) + ")";
    if (Field(peak, "judged") == Json(true)) {
      html += "; budget +" + HtmlEscape(Mib(Field(peak, "heap_budget"))) + " heap, +" +
              HtmlEscape(Mib(Field(peak, "rss_budget"))) + " resident";
    } else {
      html += "; recorded, not judged";
    }
    html += "</p>";
  }
  return html;
}

// How each fresh server an MCP scenario ended went (leakcheck mcp's
// shutdown and wrapper): what ended it, when, how, and what it left.
std::string ShutdownTable(const Json& records) {
  std::string html =
      "<div class=\"wrap\"><table><thead><tr><th>start</th><th>after</th><th>ended by</th>"
      "<th>seconds</th><th>exit</th><th>left running</th><th>process tree</th></tr></thead>"
      "<tbody>";
  for (const Json& r : records) {
    auto lines = [&](std::string_view key) {
      std::string text;
      for (const Json& line : Field(r, key).is_array() ? Field(r, key) : Json::array()) {
        text += (text.empty() ? "" : "; ") + Text(line);
      }
      return text.empty() ? std::string("-") : text;
    };
    const bool bad = Text(r, "ended_by") != "stdin closed" || lines("left") != "-";
    html += "<tr" + std::string(bad ? " class=\"leak\"" : "") + ">" + Cell(Text(r, "start")) +
            Cell(Text(r, "after")) + Cell(Text(r, "ended_by")) +
            Cell(FormatNumber(Number(r, "seconds")), true) + Cell(Text(r, "exit_status")) +
            Cell(lines("left")) + Cell(lines("tree")) + "</tr>";
  }
  return html + "</tbody></table></div>";
}

// The plots of the standard series in their fixed order, then of any
// other leaking one, and the table of every series.
std::string ResultPlots(const Json& result) {
  std::string html;
  const Json& series_list = Field(result, "series");
  std::string figures;
  if (series_list.is_array()) {
    auto plotted = [](const std::string& name) {
      for (const std::string_view p : kPlotted) {
        if (p == name) return true;
      }
      return false;
    };
    // The standard series in their fixed order, then any other leaking one.
    for (const std::string_view wanted : kPlotted) {
      for (const Json& s : series_list) {
        if (Text(s, "name") != wanted) continue;
        std::vector<double> samples = Samples(s);
        if (HasFiniteSample(samples)) figures += Figure(s, std::move(samples));
      }
    }
    for (const Json& s : series_list) {
      if (plotted(Text(s, "name")) || Text(s, "verdict") != "leak") continue;
      std::vector<double> samples = Samples(s);
      if (HasFiniteSample(samples)) figures += Figure(s, std::move(samples));
    }
  }
  if (figures.empty()) {
    html += "<p class=\"note\">No samples were recorded for this result.</p>";
  } else {
    html += "<div class=\"plots\">" + figures + "</div>";
  }
  if (series_list.is_array() && !series_list.empty()) {
    html += "<h3>Every series</h3>" + SeriesTable(series_list, result);
  }
  return html;
}

// The heap profile's top growing sites and the link to its call graph.
std::string ResultProfile(const Json& result) {
  std::string html;
  const std::string diff = Text(result, "heap_profile_diff");
  const std::string svg =
      Field(result, "heap_profile_svg").is_string() ? Text(result, "heap_profile_svg") : "";
  if ((diff != "-" && !diff.empty()) || IsRelativeFileLink(svg)) {
    html += "<h3>Top growing allocation sites</h3>";
    if (diff != "-" && !diff.empty()) html += "<pre>" + HtmlEscape(diff) + "</pre>";
    if (IsRelativeFileLink(svg)) {
      html += "<p><a href=\"" + HtmlEscape(svg) + "\">call graph of the growth (SVG)</a></p>";
    }
  }
  return html;
}

std::string ResultShutdowns(const Json& result) {
  std::string html;
  for (const char* key : {"shutdown", "wrapper"}) {
    const Json& records = Field(result, key);
    if (records.is_array() && !records.empty()) {
      html += "<h3>How each fresh server ended</h3>" + ShutdownTable(records);
    }
  }
  return html;
}

std::string ResultSection(const Json& result, size_t index) {
  const std::string verdict = Text(result, "verdict");
  return "<section class=\"result r-" + VerdictClass(verdict) + "\" id=\"result-" +
         std::to_string(index + 1) + "\"><h2>" + HtmlEscape(Text(result, "scenario")) + " " +
         Badge(verdict) + "</h2>" + ResultHeader(result) + ResultFindings(result) +
         ResultShutdowns(result) + ResultPlots(result) + ResultProfile(result) + "</section>";
}

std::string Environment(const Json& report) {
  std::string items;
  const Json& target = Field(report, "target");
  if (target.is_object()) {
    for (const auto& [key, value] : target.items()) {
      items += "<dt>target " + HtmlEscape(key) + "</dt><dd>" +
               HtmlEscape(value.is_primitive() ? Text(value) : JsonDump(value)) + "</dd>";
    }
  }
  const Json& environment = Field(report, "environment");
  if (environment.is_object()) {
    for (const auto& [key, value] : environment.items()) {
      items += "<dt>" + HtmlEscape(key) + "</dt><dd>" +
               HtmlEscape(value.is_primitive() ? Text(value) : JsonDump(value)) + "</dd>";
    }
  }
  return items.empty() ? "" : "<dl class=\"env\">" + items + "</dl>";
}

// The peak-memory results: one row per case, its peak rises against the
// budgets and the answer the server gave.
std::string PeakTable(const Json& peaks) {
  const bool shard_column = AnyResultHas(peaks, "shard");
  std::string html =
      "<div class=\"wrap\"><table class=\"peaks\"><thead><tr><th>case</th><th>preset</th>";
  if (shard_column) html += "<th>shard</th>";
  html +=
      "<th>limit</th><th>answer</th><th>heap peak rise / budget</th>"
      "<th>rss peak rise / budget</th><th>verdict</th><th>seconds</th></tr></thead><tbody>";
  for (const Json& p : peaks) {
    const std::string verdict = Text(p, "verdict");
    const bool bad = verdict != "within";
    html += "<tr" + std::string(bad ? " class=\"leak\"" : "") + ">" + Cell(Text(p, "scenario")) +
            Cell(Text(p, "preset"));
    if (shard_column) html += Cell(Text(p, "shard"));
    html += Cell(Text(p, "limit")) + Cell(Text(p, "answer")) +
            Cell(Mib(Field(p, "heap_rise")) + " / " + Mib(Field(p, "heap_budget")), true) +
            Cell(Mib(Field(p, "rss_rise")) + " / " + Mib(Field(p, "rss_budget")), true) + "<td>" +
            Badge(bad ? "leak" : "clean") + " " + HtmlEscape(verdict) + "</td>" +
            Cell(FormatNumber(Number(p, "seconds")), true) + "</tr>";
  }
  return html + "</tbody></table></div>";
}

// The hostile cases, below the verdicts and collapsed: the summary line
// says how many there are and how many failed; a page with a failed case
// opens it.
std::string PeakSection(const Json& peaks) {
  size_t failed = 0;
  for (const Json& p : peaks) failed += Text(p, "verdict") != "within" ? 1 : 0;
  return std::string("<details class=\"peaks\"") + (failed != 0 ? " open=\"open\"" : "") +
         "><summary>Peak memory under hostile peers: " + std::to_string(peaks.size()) + " cases, " +
         std::to_string(failed) + " failed " + Badge(failed != 0 ? "leak" : "clean") +
         "</summary>" + PeakTable(peaks) + "</details>";
}

}  // namespace

std::string RenderHtmlReport(const Json& report) {
  const std::string title =
      Field(report, "title").is_string() ? Text(report, "title") : std::string("leak report");
  const std::string verdict = Text(report, "verdict");
  const Json& results = Field(report, "results");

  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\" />"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" /><title>" +
      HtmlEscape(title) + "</title><style>" + kStyle + "</style></head><body><main><header><h1>" +
      HtmlEscape(title) + " " + Badge(verdict) + "</h1>";
  if (Field(report, "created").is_string()) {
    html += "<p class=\"meta\">created " + HtmlEscape(Text(report, "created")) + "</p>";
  }
  html += Environment(report) + "</header>";
  const bool has_results = results.is_array() && !results.empty();
  if (has_results) {
    html += "<h2>Verdicts</h2>" + VerdictTable(results);
  } else {
    html += "<p class=\"note\">This report has no results.</p>";
  }
  // The hostile table after the verdicts, collapsed: 56 rows of peaks
  // must not push the verdicts off the first screen.
  if (const Json& peaks = Field(report, "peaks"); peaks.is_array() && !peaks.empty()) {
    html += PeakSection(peaks);
  }
  if (has_results) {
    for (size_t i = 0; i < results.size(); ++i) html += ResultSection(results[i], i);
  }
  return html + "</main></body></html>\n";
}

}  // namespace goose::scenarios
