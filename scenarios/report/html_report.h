// Renders a leak report (the JSON document `leakcheck` writes as
// report.json, and `leakgate-report` as leakgate.json) as one
// self-contained HTML page: no network, no external script or style, only
// inline CSS and inline SVG. A person opens it when a gate fails.
//
// The page has the overall verdict and the environment at the top, then
// the verdict table (one row per scenario result: scenario, preset, shard
// when any result has one, verdict, leaking series, iterations, seconds),
// then the hostile cases' peak table in a <details> (collapsed unless a
// case failed), then a section per result with SVG plots of heap_bytes, rss_bytes, open_fds,
// threads and live_streams per iteration (each series that has samples),
// the fitted Theil-Sen line drawn over the samples, the slope with its
// bound and threshold, every series' detail line, and the top growing
// allocation sites where the result has them.
//
// The report document (every field optional unless marked):
//   {
//     "title": "leakcheck report",
//     "created": "2026-11-29T08:40:00Z",
//     "verdict": "clean" | "leak" | "error",          (required)
//     "environment": {"preset": "dev", ...},         flat string/number values
//     "target": {"kind": "builtin" | "command" | "attach", "command": "...",
//                "url": "...", "pid": 123},
//     "results": [ <ScenarioResult::ToJson()> ... ],  (required; runner.h)
//     "peaks": [ {"scenario", "preset", "limit", "answer", "heap_rise",
//                 "heap_budget", "rss_rise", "rss_budget", "verdict":
//                 "within"|"over", "seconds"} ... ]   the hostile gates'
//   }
// and per result, besides ScenarioResult::ToJson()'s fields:
//     "heap_profile_svg": "heap-growth-<scenario>.svg"  a file beside the
//                          report, linked (not inlined) from the page;
//                          only a relative path (no scheme) is linked.
//     "note": "..."        shown under the scenario's name (leakgate-report:
//                          the test, and what a canary must flag).
//     "gate": "pass"|"FAIL"  when any result has it, the verdict table gets
//                          a "gate" column (a canary's "leak" is a pass).
//     "shard": "2of4"      when any result (or peak) has it, the tables get
//                          a "shard" column (leakgate-report's merged shards).
//
// The page fits a 1280 px window: cells of text wrap anywhere, so a long
// answer or test name cannot widen a table past the page.
//
// Plots: x is the measured iteration (1..N), y the sample in human units
// (B/KiB/MiB/GiB for "unit": "B"); null samples are skipped. The fitted
// line uses the result's "slope" and the Theil-Sen intercept (the median
// of y[i] - slope * i) computed from the samples (svg_plot.h); a series
// without a slope is drawn without a line.

#ifndef GOOSE_SCENARIOS_REPORT_HTML_REPORT_H_
#define GOOSE_SCENARIOS_REPORT_HTML_REPORT_H_

#include <string>

#include "core/base/json.h"

namespace goose::scenarios {

// The whole HTML page for `report`. Every string from the report is
// HTML-escaped; a missing or mistyped field renders as "-", never throws.
std::string RenderHtmlReport(const Json& report);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_HTML_REPORT_H_
