#include "core/base/strings.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace goose {
namespace {

TEST(JoinTest, EmptyOneAndMany) {
  EXPECT_EQ(Join(std::vector<std::string>{}, ", "), "");
  EXPECT_EQ(Join(std::vector<std::string>{"a"}, ", "), "a");
  EXPECT_EQ(Join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
}

TEST(JoinTest, KeepsEmptyItemsAndTakesAnyStringLikeItem) {
  EXPECT_EQ(Join(std::vector<std::string>{"", "b", ""}, "/"), "/b/");
  constexpr const char* kWords[] = {"x", "y"};
  EXPECT_EQ(Join(kWords, "-"), "x-y");
  constexpr std::array<std::string_view, 2> kViews = {"p", "q"};
  EXPECT_EQ(Join(kViews, ""), "pq");
}

TEST(AppendJoinedTest, SeparatesOnlyAfterSomething) {
  std::string out;
  AppendJoined(&out, ", ", "a");
  EXPECT_EQ(out, "a");
  AppendJoined(&out, ", ", "b");
  EXPECT_EQ(out, "a, b");
  std::string prefilled = "only:";
  AppendJoined(&prefilled, " ", "x");
  EXPECT_EQ(prefilled, "only: x");
}

TEST(FormatFixedTest, RoundsToTheDigitsAsked) {
  EXPECT_EQ(FormatFixed(2.0 / 3, 2), "0.67");
  EXPECT_EQ(FormatFixed(99.6, 0), "100");
  EXPECT_EQ(FormatFixed(-1.26, 1), "-1.3");
  EXPECT_EQ(FormatFixed(3, 1), "3.0");
  EXPECT_EQ(FormatFixed(0, 3), "0.000");
}

TEST(FormatFixedTest, WritesNumbersLongerThanItsBuffer) {
  const std::string big = FormatFixed(1e70, 1);
  EXPECT_EQ(big.size(), 73u);  // 71 integer digits, the point, one decimal
  EXPECT_EQ(big.substr(0, 2), "10");
  EXPECT_EQ(big.substr(big.size() - 2), ".0");
}

}  // namespace
}  // namespace goose
