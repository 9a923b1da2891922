#include "scenarios/report/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>

#include "scenarios/report/html_text.h"

namespace goose::scenarios {
namespace {

TEST(HtmlText, EscapesMarkupCharacters) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain"), "plain");
}

TEST(HtmlText, FormatsNumbersAndBytesForPeople) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(12.5), "12.5");
  EXPECT_EQ(FormatNumber(3.0), "3");
  EXPECT_EQ(FormatNumber(0.01234), "0.0123");
  EXPECT_EQ(FormatNumber(123456), "123456");
  EXPECT_EQ(FormatNumber(std::nan("")), "-");
  EXPECT_EQ(FormatNumber(INFINITY), "-");
  EXPECT_EQ(FormatQuantity(512, "B"), "512 B");
  EXPECT_EQ(FormatQuantity(1536, "B"), "1.5 KiB");
  EXPECT_EQ(FormatQuantity(-3 * 1024.0 * 1024, "B"), "-3 MiB");
  EXPECT_EQ(FormatQuantity(2.5 * 1024 * 1024 * 1024, "B"), "2.5 GiB");
  EXPECT_EQ(FormatQuantity(7, ""), "7");
  EXPECT_EQ(FormatQuantity(7, "ms"), "7 ms");
  EXPECT_EQ(FormatQuantity(std::nan(""), "B"), "-");
}

TEST(SvgPlot, NiceTicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(NiceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(NiceTicks(1, 40, 6), (std::vector<double>{0, 10, 20, 30, 40}));
  const std::vector<double> ticks = NiceTicks(2.93, 3.17, 5);
  EXPECT_LE(ticks.front(), 2.93);
  EXPECT_GE(ticks.back(), 3.17);
  EXPECT_NEAR(ticks[1] - ticks[0], 0.05, 1e-12);
  EXPECT_GE(NiceTicks(5, 5, 5).size(), 2u);
  EXPECT_EQ(NiceTicks(13, 15, 5, 1), (std::vector<double>{13, 14, 15}));
}

TEST(SvgPlot, TheilSenInterceptIsTheMedianResidual) {
  const std::vector<double> y = {10, 13, 16, 100, 22};  // 10 + 3x, one outlier
  EXPECT_DOUBLE_EQ(TheilSenIntercept(y, 3), 10);
  const std::vector<double> holes = {NAN, 5, 7, NAN};  // 3 + 2x at x = 1, 2
  EXPECT_DOUBLE_EQ(TheilSenIntercept(holes, 2), 3);
  EXPECT_TRUE(std::isnan(TheilSenIntercept(std::vector<double>{NAN}, 1)));
  EXPECT_TRUE(std::isnan(TheilSenIntercept(y, NAN)));
}

TEST(SvgPlot, LabelsByteAxesInBinaryUnits) {
  PlotSeries series{"heap_bytes", "B", {}, 0.0, false};
  for (int i = 0; i < 10; ++i) series.samples.push_back(5.0 * 1024 * 1024 + 1024.0 * i);
  const std::string svg = RenderSvgPlot(series);
  EXPECT_NE(svg.find(" MiB</text>"), std::string::npos);
  // Ticks 0.002 MiB apart: every label distinct, with the decimals that takes.
  EXPECT_NE(svg.find(">5.000 MiB</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">5.002 MiB</text>"), std::string::npos);
  EXPECT_NE(svg.find(">iteration</text>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"fit\""), std::string::npos);
}

TEST(SvgPlot, FlatAndSingleSampleSeriesStillDraw) {
  const std::string flat = RenderSvgPlot({"open_fds", "", {14, 14, 14, 14}, 0.0, false});
  EXPECT_NE(flat.find(">14</text>"), std::string::npos);
  EXPECT_EQ(flat.find("nan"), std::string::npos);
  const std::string one = RenderSvgPlot({"threads", "", {3}, std::nullopt, false});
  EXPECT_NE(one.find("class=\"pt\""), std::string::npos);
  EXPECT_EQ(one.find("nan"), std::string::npos);
  const std::string none = RenderSvgPlot({"threads", "", {NAN, NAN}, 1.0, false});
  EXPECT_NE(none.find(">no samples</text>"), std::string::npos);
}

}  // namespace
}  // namespace goose::scenarios
