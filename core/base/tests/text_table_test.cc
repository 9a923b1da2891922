#include "core/base/text_table.h"

#include <gtest/gtest.h>

namespace goose {
namespace {

TEST(TextTableTest, AlignsColumnsTwoSpacesApartWithoutTrailingPadding) {
  EXPECT_EQ(RenderTextTable({"scenario", "verdict", "time"},
                            {{"reaping", "clean", "1.0s"}, {"a", "leak", "12.5s"}}),
            "scenario  verdict  time\n"
            "reaping   clean    1.0s\n"
            "a         leak     12.5s\n");
}

TEST(TextTableTest, AHeadAloneIsOneLine) { EXPECT_EQ(RenderTextTable({"a", "b"}, {}), "a  b\n"); }

TEST(TextTableTest, AShortRowEndsAtItsLastCell) {
  EXPECT_EQ(RenderTextTable({"x", "y"}, {{"long cell"}, {"1", "2"}}),
            "x          y\n"
            "long cell\n"
            "1          2\n");
}

}  // namespace
}  // namespace goose
