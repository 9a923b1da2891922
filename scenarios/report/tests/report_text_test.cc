#include "scenarios/report/report_text.h"

#include <gtest/gtest.h>

namespace goose::scenarios {
namespace {

TEST(ReportTextTest, FixedOrDashRoundsNumbersAndDashesTheRest) {
  EXPECT_EQ(FixedOrDash(Json(2.0 / 3)), "0.7");
  EXPECT_EQ(FixedOrDash(Json(12), 0), "12");
  EXPECT_EQ(FixedOrDash(Json(1.5e6 / (1 << 20)), 1), "1.4");
  EXPECT_EQ(FixedOrDash(Json()), "-");
  EXPECT_EQ(FixedOrDash(Json("3.5")), "-");
}

TEST(ReportTextTest, HeapSlopeTextShowsTheBoundsAndTheThreshold) {
  const Json series = {
      {"slope", 12.46}, {"slope_lower", 10}, {"slope_upper", 15.04}, {"threshold", 64.4}};
  EXPECT_EQ(HeapSlopeText(series), "12.5 [10.0, 15.0] vs 64");
}

TEST(ReportTextTest, HeapSlopeTextOfASeriesWithoutASlopeIsADash) {
  EXPECT_EQ(HeapSlopeText(Json::object()), "-");
  EXPECT_EQ(HeapSlopeText({{"slope", nullptr}}), "-");
  EXPECT_EQ(HeapSlopeText(Json::array()), "-");
  // Missing bounds print as dashes rather than failing the table.
  EXPECT_EQ(HeapSlopeText({{"slope", 1}}), "1.0 [-, -] vs -");
}

}  // namespace
}  // namespace goose::scenarios
