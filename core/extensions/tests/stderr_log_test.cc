#include "core/extensions/stderr_log.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/log.h"

namespace goose {
namespace {

StderrLogOptions Quiet(size_t tail) {
  StderrLogOptions options;
  options.tail_bytes = tail;
  options.log = false;
  return options;
}

TEST(StderrLogTest, KeepsOnlyTheTail) {
  StderrLog log("t", Quiet(1024));
  for (int i = 0; i < 10000; ++i) log.Feed("line " + std::to_string(i) + "\n");
  std::string tail = log.Tail();
  EXPECT_LE(tail.size(), 1024u);
  EXPECT_EQ(tail.rfind("line 9999\n"), tail.size() - 10);
  EXPECT_EQ(tail.rfind("line ", 0), 0u);  // starts at a line boundary
  EXPECT_EQ(log.total_bytes(), 98890u);
}

TEST(StderrLogTest, OneHugeWriteKeepsItsEnd) {
  StderrLog log("t", Quiet(100));
  log.Feed(std::string(1 << 20, 'a') + "END\n");
  std::string tail = log.Tail();
  EXPECT_EQ(tail.size(), 100u);
  EXPECT_EQ(tail.substr(96), "END\n");
}

TEST(StderrLogTest, ShortTailIsOneLine) {
  StderrLog log("t", Quiet(1024));
  log.Feed("first\nsecond\x01\nthird\n\n");
  EXPECT_EQ(log.ShortTail(1000), "first | second? | third");
  EXPECT_EQ(log.ShortTail(5), "third");
}

TEST(StderrLogTest, LoggingPathHandlesLongAndManyLines) {
  const LogLevel before = GetLogLevel();
  SetLogLevel(LogLevel::kError);  // exercise the path without filling the test log
  StderrLogOptions options;
  options.max_logged_line = 16;
  options.max_lines_per_second = 3;
  StderrLog log("t", options);
  for (int i = 0; i < 100; ++i) log.Feed(std::string(100, 'x') + "\n");
  log.Feed("unterminated");
  log.Finish();
  EXPECT_EQ(log.total_bytes(), 100u * 101 + 12);
  SetLogLevel(before);
}

TEST(StderrLogTest, PrintableReplacesControlBytes) {
  EXPECT_EQ(PrintableForLog("a\tb\x1b[31mc\x7f"), "a\tb?[31mc?");
}

}  // namespace
}  // namespace goose
