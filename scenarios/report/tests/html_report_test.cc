#include "scenarios/report/html_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "scenarios/report/tests/sample_report.h"

namespace goose::scenarios {
namespace {

using testing::SampleReport;
using testing::SampleResult;
using testing::SampleSeries;

// Checks that every element is closed in order (void elements must be
// written self-closed, "<br />"), as an XHTML parser would. Returns ""
// when balanced, else what is wrong.
std::string CheckBalanced(const std::string& html) {
  std::vector<std::string> open;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    const size_t end = html.find('>', pos);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(pos);
    const std::string tag = html.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '!') continue;  // <!DOCTYPE html>
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) +
               ">";
      }
      open.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;  // self-closed
    const std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
    for (const char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) return "odd tag name <" + name + ">";
    }
    if (name == "style" || name == "script") {  // raw text up to its end tag
      const size_t close = html.find("</" + name + ">", pos);
      if (close == std::string::npos) return "<" + name + "> never closed";
      pos = close;
    }
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// The <svg> of `series` in the page (the plot right after its caption).
std::string PlotOf(const std::string& html, const std::string& series) {
  const size_t caption = html.find("<figcaption><strong>" + series + "</strong>");
  if (caption == std::string::npos) return "";
  const size_t start = html.find("<svg", caption);
  return html.substr(start, html.find("</svg>", start) + 6 - start);
}

struct Point {
  double x, y;
};

std::vector<Point> Circles(const std::string& svg) {
  std::vector<Point> points;
  const std::regex circle("<circle class=\"pt\" cx=\"([-0-9.]+)\" cy=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), circle); it != std::sregex_iterator();
       ++it) {
    points.push_back({std::stod((*it)[1]), std::stod((*it)[2])});
  }
  return points;
}

// The two ends of the fitted line; empty when there is none.
std::vector<Point> FitLine(const std::string& svg) {
  const std::regex line(
      "<line class=\"fit\" x1=\"([-0-9.]+)\" y1=\"([-0-9.]+)\" x2=\"([-0-9.]+)\" "
      "y2=\"([-0-9.]+)\"");
  std::smatch m;
  if (!std::regex_search(svg, m, line)) return {};
  return {{std::stod(m[1]), std::stod(m[2])}, {std::stod(m[3]), std::stod(m[4])}};
}

TEST(HtmlReport, SampleReportIsBalancedAndSelfContained) {
  const std::string html = RenderHtmlReport(SampleReport());
  EXPECT_EQ(CheckBalanced(html), "");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Self-contained: no script, no external resource.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(Count(html, "http://"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""))
      << "only the SVG namespace may name a URL";
  // The verdict table comes first, with both results linked to their sections.
  const size_t table = html.find("<h2>Verdicts</h2>");
  ASSERT_NE(table, std::string::npos);
  EXPECT_LT(table, html.find("<section"));
  EXPECT_NE(html.find("<a href=\"#result-1\">stream_drainage</a>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#result-2\">timeout_reaping</a>"), std::string::npos);
  EXPECT_NE(html.find("id=\"result-2\""), std::string::npos);
  EXPECT_NE(html.find("heap_bytes, live_streams"), std::string::npos);
  // Five plotted series per result, each with its fitted line.
  EXPECT_EQ(Count(html, "<svg"), 10);
  EXPECT_EQ(Count(html, "class=\"fit\""), 10);
  // Human units on the axes and in the captions.
  EXPECT_NE(html.find(" MiB</text>"), std::string::npos);
  EXPECT_NE(html.find("slope 4 KiB/iter [3.6 KiB, 4.4 KiB] vs threshold 4 B/iter"),
            std::string::npos);
  // The profile diff of the leaking result, verbatim in a <pre>.
  EXPECT_NE(html.find("<pre>Total: 163840 B\n"), std::string::npos);
  EXPECT_NE(html.find("99% interval"), std::string::npos);
  EXPECT_EQ(html.find("call graph"), std::string::npos) << "no heap_profile_svg, no link";
}

TEST(HtmlReport, EscapesEveryStringFromTheReport) {
  Json report = SampleReport();
  report["title"] = "t<i>tle";
  report["environment"]["<b>key</b>"] = "v\"al'ue & more";
  report["target"] = {{"kind", "command"}, {"command", "./server --flag='<x>'"}};
  Json& result = report["results"][0];
  result["scenario"] = "<script>alert(1)</script>";
  result["description"] = "a & b < c";
  result["error"] = "</section><h1>boom";
  result["heap_profile_diff"] = "Total: 1 B\n  1 100% std::vector<int>::push_back\n";
  result["series"][0]["detail"] = "<img src=x onerror=alert(1)>";
  result["series"][0]["name"] = "heap_bytes\"><script>";
  result["heap_note"] = "no exact heap: <static>";
  result["deviations"] = Json::array({{{"what", "answered <b>200</b>"}, {"count", 7}}});
  const std::string html = RenderHtmlReport(report);

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a &amp; b &lt; c"), std::string::npos);
  EXPECT_NE(html.find("v&quot;al&#39;ue &amp; more"), std::string::npos);
  EXPECT_NE(html.find("std::vector&lt;int&gt;::push_back"), std::string::npos);
  EXPECT_NE(html.find("&lt;/section&gt;&lt;h1&gt;boom"), std::string::npos);
  // leakcheck's findings on a foreign server, with their counts.
  EXPECT_NE(html.find("heap: no exact heap: &lt;static&gt;"), std::string::npos);
  EXPECT_NE(html.find("<li>answered &lt;b&gt;200&lt;/b&gt; (7&times;)</li>"), std::string::npos);
  EXPECT_EQ(CheckBalanced(html), "");
}

TEST(HtmlReport, ResultWithNoSamplesSaysSo) {
  Json result = SampleResult("empty", false);
  for (Json& s : result["series"]) {
    s["samples"] = Json::array();
    s["slope"] = nullptr;
  }
  Json bare = {{"scenario", "bare"}, {"verdict", "error"}, {"error", "target did not start"}};
  const std::string html = RenderHtmlReport(
      {{"verdict", "error"}, {"results", Json::array({std::move(result), std::move(bare)})}});
  EXPECT_EQ(Count(html, "No samples were recorded for this result."), 2);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("error: target did not start"), std::string::npos);
  EXPECT_NE(html.find("v-error"), std::string::npos);
  EXPECT_EQ(CheckBalanced(html), "");
}

TEST(HtmlReport, NullNanAndMistypedValuesRenderAsDashes) {
  Json result = SampleResult("holes", false, 10);
  Json& heap = result["series"][0];
  heap["samples"][2] = nullptr;
  heap["samples"][3] = "12";
  heap["samples"][4] = Json::object();
  heap["slope"] = nullptr;
  heap["slope_lower"] = nullptr;
  heap["threshold"] = "four";
  result["seconds"] = nullptr;
  result["iterations"] = Json::array();
  result["series"][2]["samples"] = nullptr;  // live_streams: no samples at all
  // JSON itself cannot hold NaN; nlohmann can, and must not break the page.
  result["series"][1]["samples"][0] = std::nan("");
  result["series"][1]["slope"] = INFINITY;
  const std::string html = RenderHtmlReport({{"verdict", "clean"}, {"results", {result}}});

  const std::string heap_plot = PlotOf(html, "heap_bytes");
  ASSERT_FALSE(heap_plot.empty());
  EXPECT_EQ(Circles(heap_plot).size(), 7u);  // 10 samples, 3 unusable
  EXPECT_TRUE(FitLine(heap_plot).empty()) << "no slope, no fitted line";
  EXPECT_EQ(Circles(PlotOf(html, "rss_bytes")).size(), 9u);
  EXPECT_TRUE(FitLine(PlotOf(html, "rss_bytes")).empty());
  EXPECT_TRUE(PlotOf(html, "live_streams").empty());
  EXPECT_NE(html.find("slope -/iter - vs threshold -/iter"), std::string::npos);
  std::smatch bad;
  EXPECT_FALSE(std::regex_search(html, bad, std::regex("\\b(nan|inf|NaN|null)\\b"))) << bad[0];
  EXPECT_EQ(CheckBalanced(html), "");
}

TEST(HtmlReport, DocumentsOfTheWrongShapeRenderWithoutThrowing) {
  for (const Json& doc : {Json(), Json(42), Json::array({1, 2}), Json{{"results", "no"}},
                          Json{{"results", Json::array({Json(7), Json{{"series", 3}}})}}}) {
    std::string html;
    ASSERT_NO_THROW(html = RenderHtmlReport(doc)) << doc.dump();
    EXPECT_EQ(CheckBalanced(html), "") << doc.dump();
    EXPECT_NE(html.find("<title>leak report</title>"), std::string::npos);
  }
}

TEST(HtmlReport, FittedLinePassesThroughThePointsOfAPerfectLine) {
  std::vector<double> line;
  for (int i = 0; i < 25; ++i) line.push_back(2.0e6 + 320.0 * i);
  line[7] = 9.0e6;  // one wild sample: Theil-Sen's median intercept ignores it
  Json result = SampleResult("perfect", true, 25);
  result["series"][0] = SampleSeries("heap_bytes", "heap", "B", line, 320, true, 4);
  const std::string svg =
      PlotOf(RenderHtmlReport({{"verdict", "leak"}, {"results", {result}}}), "heap_bytes");
  const std::vector<Point> points = Circles(svg);
  const std::vector<Point> fit = FitLine(svg);
  ASSERT_EQ(points.size(), 25u);
  ASSERT_EQ(fit.size(), 2u);
  EXPECT_NEAR(fit[0].x, points.front().x, 0.011);
  EXPECT_NEAR(fit[0].y, points.front().y, 0.011);
  EXPECT_NEAR(fit[1].x, points.back().x, 0.011);
  EXPECT_NEAR(fit[1].y, points.back().y, 0.011);
  // Every other sample lies on the drawn line too.
  for (size_t i = 0; i < points.size(); ++i) {
    if (i == 7) continue;
    const double t = (points[i].x - fit[0].x) / (fit[1].x - fit[0].x);
    EXPECT_NEAR(points[i].y, fit[0].y + t * (fit[1].y - fit[0].y), 0.02) << "sample " << i;
  }
  EXPECT_NE(svg.find("stroke=\"#cf222e\""), std::string::npos) << "a leaking fit is red";
}

TEST(HtmlReport, LinksTheProfileGraphOnlyAsARelativeFile) {
  Json result = SampleResult("profiled", true);
  result["heap_profile_svg"] = "heap-growth-profiled.svg";
  Json sneaky = SampleResult("sneaky", true);
  sneaky["heap_profile_svg"] = "javascript:alert(1)";
  const std::string html = RenderHtmlReport({{"verdict", "leak"}, {"results", {result, sneaky}}});
  EXPECT_NE(html.find("<a href=\"heap-growth-profiled.svg\">"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(Count(html, "Top growing allocation sites"), 2);
}

TEST(HtmlReport, PlotsALeakingSeriesBeyondTheStandardOnes) {
  Json result = SampleResult("orphans", true);
  result["series"].push_back(
      SampleSeries("descendants", "counted", "", {0, 1, 2, 3, 4, 5}, 1, true));
  result["series"].push_back(SampleSeries("agents", "counted", "", {0, 0, 0, 0}, 0, false));
  const std::string html = RenderHtmlReport({{"verdict", "leak"}, {"results", {result}}});
  EXPECT_FALSE(PlotOf(html, "descendants").empty());
  EXPECT_TRUE(PlotOf(html, "agents").empty()) << "clean extra series are in the table only";
  EXPECT_NE(html.find("<td>agents</td>"), std::string::npos);
}

TEST(HtmlReport, GateColumnAndNotesWhenResultsCarryThem) {
  Json canary = SampleResult("stream_drainage", true);
  canary["note"] = "canary: failpoint partial_drain must flag live_streams";
  canary["gate"] = "pass";
  const std::string html = RenderHtmlReport({{"verdict", "clean"}, {"results", {canary}}});
  EXPECT_NE(html.find("<th>gate</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>pass</td>"), std::string::npos);
  EXPECT_NE(html.find("canary: failpoint partial_drain must flag live_streams"), std::string::npos);
  EXPECT_EQ(RenderHtmlReport(SampleReport()).find("<th>gate</th>"), std::string::npos);
  EXPECT_EQ(html.find("<tr class=\"leak\"><td><a"), std::string::npos)
      << "a canary that leaked as it must is not tinted as a failure";
}

TEST(HtmlReport, NamesLeakSanitizerOnce) {
  Json named = SampleResult("lsan_named", true);
  named["lsan_leaks"] = 1;
  named["leaking_series"] = Json::array({"heap_bytes", "lsan"});
  Json unnamed = SampleResult("lsan_unnamed", true);
  unnamed["lsan_leaks"] = 2;
  const std::string html = RenderHtmlReport({{"verdict", "leak"}, {"results", {named, unnamed}}});
  EXPECT_EQ(Count(html, "<td>heap_bytes, lsan</td>"), 1);
  EXPECT_EQ(Count(html, "<td>heap_bytes, live_streams, lsan</td>"), 1);
}

TEST(HtmlReport, VerdictsComeFirstAndTheHostileTableIsCollapsedBelowThem) {
  Json report = testing::SampleGateReport();
  std::string html = RenderHtmlReport(report);
  EXPECT_EQ(CheckBalanced(html), "");
  const size_t verdicts = html.find("<table class=\"verdicts\">");
  const size_t peaks = html.find("<details class=\"peaks\">");
  const size_t first_result = html.find("<section class=\"result");
  ASSERT_NE(verdicts, std::string::npos);
  ASSERT_NE(peaks, std::string::npos) << "collapsed, not open, when every case is within";
  EXPECT_LT(verdicts, peaks);
  EXPECT_LT(peaks, first_result);
  EXPECT_NE(html.find("Peak memory under hostile peers: 56 cases, 0 failed"), std::string::npos);
  EXPECT_EQ(Count(html, "<table class=\"peaks\">"), 1);

  report["peaks"][3]["verdict"] = "over";
  html = RenderHtmlReport(report);
  EXPECT_NE(html.find("<details class=\"peaks\" open=\"open\">"), std::string::npos);
  EXPECT_NE(html.find("56 cases, 1 failed"), std::string::npos);
}

TEST(HtmlReport, ShardColumnWhenResultsCarryOne) {
  Json report = SampleReport();
  EXPECT_EQ(RenderHtmlReport(report).find("<th>shard</th>"), std::string::npos);
  report["results"][1]["shard"] = "2of4";
  const std::string html = RenderHtmlReport(report);
  EXPECT_NE(html.find("<th>shard</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>2of4</td>"), std::string::npos);
  EXPECT_NE(html.find(" · shard 2of4 · "), std::string::npos);
  EXPECT_EQ(CheckBalanced(html), "");
}

}  // namespace
}  // namespace goose::scenarios
