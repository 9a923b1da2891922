#include "core/extensions/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace goose {
namespace {

using Lines = std::vector<std::pair<std::string, size_t>>;

LineSplitter::LineFn Collect(Lines* out) {
  return [out](std::string_view line, size_t dropped) { out->emplace_back(line, dropped); };
}

TEST(LineSplitterTest, SplitsLinesAcrossFeeds) {
  LineSplitter splitter(100);
  Lines lines;
  splitter.Feed("one\ntw", Collect(&lines));
  splitter.Feed("o\r\nthree", Collect(&lines));
  EXPECT_EQ(lines, (Lines{{"one", 0}, {"two", 0}}));
  EXPECT_EQ(splitter.buffered(), 5u);
  splitter.Finish(Collect(&lines));
  EXPECT_EQ(lines, (Lines{{"one", 0}, {"two", 0}, {"three", 0}}));
}

TEST(LineSplitterTest, EmptyLinesAreLines) {
  LineSplitter splitter(10);
  Lines lines;
  splitter.Feed("\n\na\n", Collect(&lines));
  EXPECT_EQ(lines, (Lines{{"", 0}, {"", 0}, {"a", 0}}));
}

TEST(LineSplitterTest, OverLongLineIsCutAndCounted) {
  LineSplitter splitter(8);
  Lines lines;
  splitter.Feed("0123456789", Collect(&lines));
  splitter.Feed("abcdef\nok\n", Collect(&lines));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].first, "01234567");
  EXPECT_EQ(lines[0].second, 8u);  // "89abcdef"
  EXPECT_EQ(lines[1], (std::pair<std::string, size_t>{"ok", 0}));
}

TEST(LineSplitterTest, MemoryStaysWithinTheCapWhateverArrives) {
  LineSplitter splitter(1024);
  Lines lines;
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i) splitter.Feed(chunk, Collect(&lines));  // 4 MiB, no newline
  EXPECT_TRUE(lines.empty());
  EXPECT_LE(splitter.high_water(), 1024u);
  splitter.Feed("\n", Collect(&lines));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first.size(), 1024u);
  EXPECT_EQ(lines[0].second, 64u * 64 * 1024 - 1024);
  EXPECT_EQ(splitter.buffered(), 0u);
}

TEST(LineSplitterTest, OverflowIsReportedOncePerLineWhenItHappens) {
  LineSplitter splitter(8);
  Lines lines;
  std::vector<std::string> heads;
  const auto on_overflow = [&](std::string_view head) { heads.emplace_back(head); };
  splitter.Feed("0123", Collect(&lines), on_overflow);
  splitter.Feed("4567", Collect(&lines), on_overflow);  // exactly at the limit: no overflow yet
  EXPECT_TRUE(heads.empty());
  splitter.Feed("8", Collect(&lines), on_overflow);
  ASSERT_EQ(heads.size(), 1u);  // reported before the line ends
  EXPECT_EQ(heads[0], "01234567");
  EXPECT_TRUE(lines.empty());
  splitter.Feed("9abc\nshort\nxxxxxxxxxxxx", Collect(&lines), on_overflow);
  EXPECT_EQ(heads.size(), 2u);  // the third line overflows too; the first only once
  EXPECT_EQ(lines.size(), 2u);
}

TEST(LineSplitterTest, FinishWithoutPartialLineDeliversNothing) {
  LineSplitter splitter(16);
  Lines lines;
  splitter.Feed("done\n", Collect(&lines));
  splitter.Finish(Collect(&lines));
  EXPECT_EQ(lines.size(), 1u);
}

}  // namespace
}  // namespace goose
