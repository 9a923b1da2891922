// Hostile clients' requests: bodies that are chunked, compressed, without a
// length, too deep or too wide; heads without end or over the head limit;
// heads that break RFC 9112's framing.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/base/http_connection.h"
#include "core/base/json.h"
#include "core/server/api_server.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

TEST_F(HostileGate, ChunkedBodyWithoutKeyIsRefusedBeforeItsBody) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("key checked before any body is read",
          [&] { out = ChunkedBodyWithoutEnd(victim_, /*keyed=*/false, 256 << 20, 30s); });
  ExpectAnswer(out, 401, "x-api-key");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ChunkedBodyIsRefused) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("no chunked request bodies",
          [&] { out = ChunkedBodyWithoutEnd(victim_, /*keyed=*/true, 256 << 20, 30s); });
  ExpectAnswer(out, 411, "Transfer-Encoding");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

class CompressionBombGate : public HostileGate, public ::testing::WithParamInterface<Encoding> {};

TEST_P(CompressionBombGate, IsRefusedBeforeInflating) {
  StartServer();
  Seed seed = MakeSeed();
  const std::string body = BombBody(GetParam(), 1ull << 30);  // 1 GiB inflated
  Outcome out;
  Measure("no compressed request bodies",
          [&] { out = CompressionBomb(victim_, GetParam(), body); });
  ExpectAnswer(out, 415, "Content-Encoding");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

INSTANTIATE_TEST_SUITE_P(Encodings, CompressionBombGate,
                         ::testing::Values(Encoding::kGzip, Encoding::kDeflate, Encoding::kBrotli),
                         [](const ::testing::TestParamInfo<Encoding>& info) {
                           return std::string(EncodingName(info.param)) == "br"
                                      ? std::string("brotli")
                                      : std::string(EncodingName(info.param));
                         });

TEST_F(HostileGate, PostWithoutLengthIsRefused) {
  StartServer();
  Outcome out;
  Measure("POST needs a Content-Length", [&] { out = PostWithoutLength(victim_, 64 << 20, 15s); });
  ExpectAnswer(out, 411, "Content-Length");
  ExpectAlive();
}

TEST_F(HostileGate, RequestLineWithoutEndIsCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = RequestLineWithoutEnd(victim_, 256 << 20, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  EXPECT_LT(out.bytes_sent, 16u << 20) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, HeaderWithoutEndIsCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = HeaderWithoutEnd(victim_, 256 << 20, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  EXPECT_LT(out.bytes_sent, 16u << 20) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, ManyHeadersAreCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = ManyHeaders(victim_, 10'000'000, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  ExpectAlive();
}

// A head 1 KiB under GOOSE_API_MAX_HEADER_BYTES is served and one 1 KiB
// over it is refused with 431: the limit pinned from both sides (the
// flooding cases above are cut by the waiting room's look at the socket,
// which holds nothing a raised limit would show).
TEST_F(HostileGate, HeadUnderTheHeadLimitIsServed) {
  StartServer();
  const size_t limit = HttpLimits{}.max_header_bytes;
  Outcome out;
  Measure("GOOSE_API_MAX_HEADER_BYTES (a head 1 KiB under it)", [&] {
    out = LargeAnswer(victim_, KeyedGetOfHeadSize(victim_, "/metrics", limit - 1024), 10s);
  });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 200) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, HeadJustOverTheHeadLimitIsRefused) {
  StartServer();
  const size_t limit = HttpLimits{}.max_header_bytes;
  Outcome out;
  Measure("GOOSE_API_MAX_HEADER_BYTES (a head 1 KiB over it)", [&] {
    out = LargeAnswer(victim_, KeyedGetOfHeadSize(victim_, "/metrics", limit + 1024), 10s);
  });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 431) << "a head over GOOSE_API_MAX_HEADER_BYTES was not refused: "
                             << out.ToString();
  ExpectAlive();
}

// RFC 9112 framing: a head the server could frame one way and a proxy the
// other is refused with 400 by the waiting room, before any worker parses
// it; the answer names the rule. Bare LFs are refused at once, not after
// the request deadline (a 408 then).
class MisframedGate : public HostileGate, public ::testing::WithParamInterface<Misframing> {};

TEST_P(MisframedGate, IsRefusedWith400NamingTheRule) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("RFC 9112 framing", [&] { out = Misframed(victim_, GetParam()); });
  const char* names = GetParam() == Misframing::kTwoLengths   ? "conflicting Content-Length"
                      : GetParam() == Misframing::kFoldedLine ? "obs-fold"
                                                              : "bare LF";
  ExpectAnswer(out, 400, names);
  ExpectAlive();
  ExpectSeedWhole(seed);
}

INSTANTIATE_TEST_SUITE_P(Rules, MisframedGate,
                         ::testing::Values(Misframing::kTwoLengths, Misframing::kFoldedLine,
                                           Misframing::kBareLineFeeds),
                         [](const ::testing::TestParamInfo<Misframing>& info) {
                           return std::string(MisframingName(info.param));
                         });

TEST_F(HostileGate, DeepJsonBodyIsRefused) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_JSON_DEPTH", [&] { out = DeepJson(victim_, 500'000); }, DepthBudget());
  ExpectAnswer(out, 400, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// JSON one level deeper than GOOSE_API_MAX_JSON_DEPTH is refused naming
// it; at the limit it is parsed (and refused for its fields, an array is
// not a request): the limit pinned from both sides, by its default.
TEST_F(HostileGate, JsonOneLevelTooDeepIsRefused) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_JSON_DEPTH (one level over it)",
          [&] { out = DeepJson(victim_, kDefaultJsonDepthLimit + 1); });
  ExpectAnswer(out, 400, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
}

TEST_F(HostileGate, JsonAtTheDepthLimitIsParsed) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_JSON_DEPTH (at it)",
          [&] { out = DeepJson(victim_, kDefaultJsonDepthLimit); });
  ExpectAnswer(out, 400);
  EXPECT_EQ(out.body.find("GOOSE_API_MAX_JSON_DEPTH"), std::string::npos)
      << "JSON at the depth limit was refused for its depth: " << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, WideValidJsonAtTheBodyLimitIsServed) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_BODY_BYTES (a body that large, parsed)",
      [&] { out = WideJson(victim_, (1 << 20) - 1024); },
      LimitBudget(kBodyBytesRule, ApiServerOptions{}.max_body_bytes));
  ExpectAnswer(out, 200);
  ExpectAlive();
}

// Just over the body limit: refused with 413 on its length, before the
// body is read (with the case above, the limit is pinned from both sides:
// raised or lowered, one of the two fails).
TEST_F(HostileGate, WideValidJsonJustOverTheBodyLimitIsRefused) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_BODY_BYTES (a body just over it)",
          [&] { out = WideJson(victim_, (1 << 20) + 1024); });
  ExpectAnswer(out, 413, "GOOSE_API_MAX_BODY_BYTES");
  ExpectAlive();
}

}  // namespace
}  // namespace goose::hostile
