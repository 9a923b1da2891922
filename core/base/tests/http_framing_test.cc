// HeadFramingError: the RFC 9112 framing rules a head must pass before a
// worker parses it.

#include "core/base/http_framing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace goose {
namespace {

using ::testing::HasSubstr;

std::string Head(const std::string& fields) {
  return "POST /session/start HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n";
}

TEST(HeadFramingError, AcceptsWellFramedHeads) {
  EXPECT_EQ(HeadFramingError("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), std::nullopt);
  EXPECT_EQ(HeadFramingError(Head("Content-Length: 12\r\n")), std::nullopt);
  // Identical duplicates, as a list or as two fields (section 6.3).
  EXPECT_EQ(HeadFramingError(Head("Content-Length: 12\r\ncontent-length: 12\r\n")), std::nullopt);
  EXPECT_EQ(HeadFramingError(Head("Content-Length: 12, 12\r\n")), std::nullopt);
  EXPECT_EQ(HeadFramingError(Head("Transfer-Encoding: chunked\r\n")), std::nullopt);
  // A prefix without a bare LF: nothing to say yet.
  EXPECT_EQ(HeadFramingError("GET /metrics HTTP/1.1\r\nHo"), std::nullopt);
  // Whitespace around a value is not around the name.
  EXPECT_EQ(HeadFramingError(Head("X-A:\t v \r\n")), std::nullopt);
}

TEST(HeadFramingError, RefusesDifferingOrInvalidLengths) {
  EXPECT_THAT(HeadFramingError(Head("Content-Length: 12\r\nContent-Length: 13\r\n")).value_or(""),
              HasSubstr("conflicting Content-Length values 12 and 13"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length: 12, 0\r\n")).value_or(""),
              HasSubstr("conflicting Content-Length"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length: -1\r\n")).value_or(""),
              HasSubstr("is not a decimal number"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length: 0x10\r\n")).value_or(""),
              HasSubstr("is not a decimal number"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length:\r\n")).value_or(""),
              HasSubstr("is not a decimal number"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length: 99999999999999999999\r\n")).value_or(""),
              HasSubstr("is not a decimal number"));
}

TEST(HeadFramingError, RefusesLengthWithTransferEncoding) {
  EXPECT_THAT(
      HeadFramingError(Head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")).value_or(""),
      HasSubstr("both Content-Length and Transfer-Encoding"));
  EXPECT_THAT(
      HeadFramingError(Head("transfer-encoding: gzip\r\nCONTENT-LENGTH: 5\r\n")).value_or(""),
      HasSubstr("both Content-Length and Transfer-Encoding"));
}

TEST(HeadFramingError, RefusesFoldedLinesAndSpaceBeforeTheColon) {
  EXPECT_THAT(HeadFramingError(Head("X-A: one\r\n two\r\n")).value_or(""), HasSubstr("obs-fold"));
  EXPECT_THAT(HeadFramingError(Head("X-A: one\r\n\ttwo\r\n")).value_or(""), HasSubstr("obs-fold"));
  EXPECT_THAT(HeadFramingError(Head("Content-Length : 5\r\n")).value_or(""),
              HasSubstr("between the field name \"Content-Length\" and its colon"));
}

TEST(HeadFramingError, RefusesABareLineFeedAsSoonAsItArrives) {
  EXPECT_THAT(HeadFramingError("GET / HTTP/1.1\nHost: x\n\n").value_or(""), HasSubstr("bare LF"));
  // Before the head is whole: no wait for a CRLF that will not come.
  EXPECT_THAT(HeadFramingError("GET / HTTP/1.1\r\nHost: x\n").value_or(""), HasSubstr("bare LF"));
  EXPECT_THAT(HeadFramingError("\n").value_or(""), HasSubstr("bare LF"));
}

}  // namespace
}  // namespace goose
