#include "core/providers/openai_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

namespace goose {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

std::chrono::system_clock::time_point At(int year, int month, int day, int h, int m, int s) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

const auto kNow = At(2015, 10, 21, 7, 28, 0);

TEST(RetryAfterTest, ParsesSeconds) {
  EXPECT_EQ(ParseRetryAfter("7", kNow), milliseconds(7000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("1.5", kNow), milliseconds(1500));
}

TEST(RetryAfterTest, ParsesAnHttpDate) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", kNow), milliseconds(30'000));
  // A date in the past means "now".
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", kNow), milliseconds(0));
}

TEST(RetryAfterTest, RejectsGarbage) {
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Foo 2015 07:28:30 GMT", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 PST", kNow), std::nullopt);
}

TEST(RetryAfterTest, MillisecondHeaderWins) {
  RetryHeaders headers{"7", "250"};
  EXPECT_EQ(RetryDelayFromHeaders(headers, kNow), milliseconds(250));
  headers.retry_after_ms = "junk";
  EXPECT_EQ(RetryDelayFromHeaders(headers, kNow), milliseconds(7000));
  EXPECT_EQ(RetryDelayFromHeaders(RetryHeaders{}, kNow), std::nullopt);
}

TEST(HttpErrorTest, RateLimitCarriesRetryAfterAndTheProviderMessage) {
  ProviderError e = ErrorFromHttpResponse(
      429,
      R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests","code":"rate_limit_exceeded"}})",
      RetryHeaders{"20", std::nullopt}, "https://api.openai.com:443", kNow);
  EXPECT_EQ(e.kind, ProviderErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.retry_after, milliseconds(20'000));
  EXPECT_THAT(e.message, HasSubstr("Rate limit reached for gpt-4o"));
  EXPECT_THAT(e.message, HasSubstr("https://api.openai.com:443"));
}

TEST(HttpErrorTest, ContextLengthByCodeOrByMessage) {
  ProviderError by_code = ErrorFromHttpResponse(
      400, R"({"error":{"message":"too long","code":"context_length_exceeded"}})", {}, "o", kNow);
  EXPECT_EQ(by_code.kind, ProviderErrorKind::kContextLengthExceeded);
  ProviderError by_message = ErrorFromHttpResponse(
      400,
      R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."}})",
      {}, "o", kNow);
  EXPECT_EQ(by_message.kind, ProviderErrorKind::kContextLengthExceeded);
  EXPECT_THAT(by_message.message, HasSubstr("maximum context length is 8192"));
  ProviderError too_large = ErrorFromHttpResponse(
      413, R"({"error":{"message":"x","code":"context_length_exceeded"}})", {}, "o", kNow);
  EXPECT_EQ(too_large.kind, ProviderErrorKind::kContextLengthExceeded);
}

TEST(HttpErrorTest, StatusClasses) {
  auto kind = [](int status) {
    return ErrorFromHttpResponse(status, R"({"error":{"message":"m"}})", {}, "o", kNow).kind;
  };
  EXPECT_EQ(kind(400), ProviderErrorKind::kRequestRejected);
  EXPECT_EQ(kind(401), ProviderErrorKind::kRequestRejected);
  EXPECT_EQ(kind(404), ProviderErrorKind::kRequestRejected);
  EXPECT_EQ(kind(413), ProviderErrorKind::kRequestRejected);
  EXPECT_EQ(kind(500), ProviderErrorKind::kServerError);
  EXPECT_EQ(kind(503), ProviderErrorKind::kServerError);
  EXPECT_EQ(kind(302), ProviderErrorKind::kBadResponse);
}

TEST(HttpErrorTest, NonJsonBodiesAreQuotedShortAndValid) {
  ProviderError html = ErrorFromHttpResponse(502, "<html><title>Bad Gateway</title></html>", {},
                                             "https://proxy:443", kNow);
  EXPECT_EQ(html.kind, ProviderErrorKind::kServerError);
  EXPECT_THAT(html.message, HasSubstr("Bad Gateway"));
  ProviderError empty = ErrorFromHttpResponse(500, "", {}, "o", kNow);
  EXPECT_THAT(empty.message, HasSubstr("(empty body)"));
  ProviderError huge =
      ErrorFromHttpResponse(500, std::string(100'000, 'x') + "\xFF", {}, "o", kNow);
  EXPECT_LT(huge.message.size(), 1000u);
  EXPECT_NO_THROW(Json(huge.message).dump());  // valid UTF-8
  ProviderError plain = ErrorFromHttpResponse(400, R"({"message":"plain message"})", {}, "o", kNow);
  EXPECT_THAT(plain.message, HasSubstr("plain message"));
}

TEST(ErrorFrameTest, MapsContextLengthAndEverythingElse) {
  ProviderError context = ErrorFromErrorObject(
      Json{{"message", "context too long"}, {"code", "context_length_exceeded"}});
  EXPECT_EQ(context.kind, ProviderErrorKind::kContextLengthExceeded);
  EXPECT_THAT(context.message, HasSubstr("context too long"));
  ProviderError other =
      ErrorFromErrorObject(Json{{"message", "The server is overloaded"}, {"type", "server_error"}});
  EXPECT_EQ(other.kind, ProviderErrorKind::kServerError);
  EXPECT_THAT(other.message, HasSubstr("The server is overloaded"));
  EXPECT_EQ(ErrorFromErrorObject(Json("bare string")).kind, ProviderErrorKind::kServerError);
}

}  // namespace
}  // namespace goose
