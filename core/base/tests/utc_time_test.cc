#include "core/base/utc_time.h"

#include <gtest/gtest.h>

#include <ctime>

namespace goose {
namespace {

TEST(UtcTimeTest, FormatsIso8601ByDefault) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1700000000), "2023-11-14T22:13:20Z");
}

TEST(UtcTimeTest, TakesAnyStrftimeFormat) {
  EXPECT_EQ(FormatUtc(1700000000, "%Y-%m-%d %H:%M:%S UTC"), "2023-11-14 22:13:20 UTC");
  EXPECT_EQ(FormatUtc(3661, "%H:%M:%S"), "01:01:01");
  EXPECT_EQ(FormatUtc(0, ""), "");
}

TEST(UtcTimeTest, NowIsTheCurrentSecond) {
  const std::time_t before = std::time(nullptr);
  const std::string now = UtcNow();
  const std::time_t after = std::time(nullptr);
  EXPECT_TRUE(now == FormatUtc(before) || now == FormatUtc(after)) << now;
  EXPECT_EQ(now.size(), 20u);
}

}  // namespace
}  // namespace goose
