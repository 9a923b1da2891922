// The Markdown summary: cells that cannot break a table, the worst slopes
// in order (leaks first, then the heap slopes nearest their thresholds),
// and the summary's parts.

#include "scenarios/report/markdown_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenarios/report/tests/sample_report.h"

namespace goose::scenarios {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MarkdownSummaryTest, CellsCannotBreakTheTable) {
  EXPECT_EQ(MarkdownCell("a|b\nc"), "a\\|b c");
  EXPECT_EQ(MarkdownCell("<img src=x> *x* [l](u) `c`"),
            "\\<img src=x\\> \\*x\\* \\[l\\](u) \\`c\\`");
  EXPECT_EQ(MarkdownCell("stream_drainage"), "stream_drainage");
  EXPECT_EQ(MarkdownCell(""), "-");
  EXPECT_EQ(MarkdownTable({"a", "b"}, {{"1"}, {"2", "3|4"}}),
            "| a | b |\n| --- | --- |\n| 1 | - |\n| 2 | 3\\|4 |\n");
}

TEST(MarkdownSummaryTest, WorstSlopesPutLeaksFirstThenTheNearestToTheirThreshold) {
  Json near = testing::SampleResult("concurrent_sessions", false);
  near["series"][0]["slope"] = 3.0;  // heap_bytes: 75% of its threshold of 4
  Json far = testing::SampleResult("timeout_reaping", false);
  far["series"][0]["slope"] = 1.0;  // 25%
  const Json leak = testing::SampleResult("stream_drainage", true);
  const std::vector<MarkdownRow> rows = WorstSlopes(Json::array({far, near, leak}));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0] + " " + rows[0][2], "stream_drainage heap_bytes");
  EXPECT_EQ(rows[1][0] + " " + rows[1][2], "stream_drainage live_streams");
  EXPECT_EQ(rows[1][5], "0 (zero tolerance)");
  EXPECT_EQ(rows[2][0] + " " + rows[2][6], "concurrent_sessions 75%");
  EXPECT_EQ(rows[3][0] + " " + rows[3][6], "timeout_reaping 25%");
  EXPECT_EQ(WorstSlopes(Json::array({far, near, leak}), 1).size(), 1u);
}

TEST(MarkdownSummaryTest, HasTheVerdictTableSlopesCollapsedTablesAndTheLink) {
  MarkdownSummary md;
  md.title = "leakcheck";
  md.verdict = "leak";
  md.subtitle = "target: builtin";
  md.head = {"scenario", "verdict"};
  md.rows = {{"stream_drainage", "leak"}};
  md.notes = {"stream_drainage: leak: heap_bytes ..."};
  md.results = Json::array({testing::SampleResult("stream_drainage", true)});
  md.collapsed = {{"Peak memory under hostile peers", {"case"}, {{"HostileGate.X"}}}};
  md.html_link = "../leakcheck report/report.html";
  const std::string text = RenderMarkdownSummary(md);
  EXPECT_EQ(text.rfind("## leakcheck: **LEAK**\n\ntarget: builtin\n\n| scenario | verdict |", 0),
            0u)
      << text;
  EXPECT_THAT(text, HasSubstr("| stream_drainage | leak |\n"));
  EXPECT_THAT(text, HasSubstr("- stream_drainage: leak: heap_bytes ...\n"));
  EXPECT_THAT(text, HasSubstr("### Worst slopes\n"));
  EXPECT_THAT(text, HasSubstr("<details><summary>Peak memory under hostile peers</summary>\n\n| "
                              "case |"));
  EXPECT_THAT(text, HasSubstr("[../leakcheck report/report.html](../leakcheck%20report/"
                              "report.html)"));
  md.html_link.clear();
  EXPECT_THAT(RenderMarkdownSummary(md), Not(HasSubstr("report.html")));
}

}  // namespace
}  // namespace goose::scenarios
