// RequestGuard: Host, Origin and Content-Type, as a browser would send them.

#include "core/server/request_guard.h"

#include <gtest/gtest.h>

namespace goose {
namespace {

GuardedHead Head(std::optional<std::string> host, std::optional<std::string> origin = std::nullopt,
                 std::string_view method = "GET",
                 std::optional<std::string> content_type = std::nullopt) {
  return GuardedHead{method, std::move(host), std::move(origin), std::move(content_type)};
}

TEST(RequestGuardTest, HostsAreAddressesLoopbackNamesOrListedNames) {
  RequestGuard guard({"0.0.0.0", {"api.internal"}});
  for (const char* ok :
       {"127.0.0.1:8080", "10.0.0.7", "[::1]:8080", "[fe80::1]", "::1", "localhost", "LocalHost:80",
        "app.localhost", "api.internal:8443", "API.INTERNAL"}) {
    EXPECT_TRUE(guard.AllowsHost(ok)) << ok;
    EXPECT_FALSE(guard.CheckSender(Head(ok))) << ok;
  }
  for (const char* bad : {"evil.example", "localhost.evil.example", "127.0.0.1.nip.io",
                          "api.internal.evil", "", "[::1", "[::1]x"}) {
    EXPECT_FALSE(guard.AllowsHost(bad)) << bad;
  }
  std::optional<ApiResponse> refused = guard.CheckSender(Head("evil.example"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body["message"].get<std::string>().find("GOOSE_API_ALLOWED_HOSTS"),
            std::string::npos);
  EXPECT_FALSE(guard.CheckSender(Head(std::nullopt)));  // HTTP/1.0: no Host
}

TEST(RequestGuardTest, TheListeningNameAndAStarAreAllowed) {
  EXPECT_TRUE(RequestGuard({"myhost.lan", {}}).AllowsHost("myhost.lan:8080"));
  EXPECT_FALSE(RequestGuard({"127.0.0.1", {}}).AllowsHost("myhost.lan"));
  EXPECT_TRUE(RequestGuard({"127.0.0.1", {"*"}}).AllowsHost("anything.example"));
}

TEST(RequestGuardTest, OnlyTheServersOwnOriginPasses) {
  RequestGuard guard({"127.0.0.1", {}});
  EXPECT_FALSE(guard.CheckSender(Head("127.0.0.1:8080", "http://127.0.0.1:8080")));
  EXPECT_FALSE(guard.CheckSender(Head("localhost:8080", "http://LOCALHOST:8080")));
  for (const char* origin : {"http://evil.example", "http://127.0.0.1:3000", "null",
                             "http://localhost:8080", "127.0.0.1:8080", ""}) {
    std::optional<ApiResponse> refused = guard.CheckSender(Head("127.0.0.1:8080", origin));
    ASSERT_TRUE(refused) << origin;
    EXPECT_EQ(refused->status, 403) << origin;
  }
  // An Origin without a Host cannot be checked: refused.
  EXPECT_TRUE(guard.CheckSender(Head(std::nullopt, "http://127.0.0.1:8080")));
}

TEST(RequestGuardTest, BodiesMustBeJson) {
  RequestGuard guard({"127.0.0.1", {}});
  EXPECT_FALSE(guard.CheckBodyType(Head("h", std::nullopt, "POST", "application/json")));
  EXPECT_FALSE(
      guard.CheckBodyType(Head("h", std::nullopt, "POST", " Application/JSON ; charset=utf-8")));
  EXPECT_FALSE(guard.CheckBodyType(Head("h", std::nullopt, "GET")));  // no body: no type needed
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx"}) {
    std::optional<ApiResponse> refused = guard.CheckBodyType(Head("h", std::nullopt, "POST", type));
    ASSERT_TRUE(refused) << type;
    EXPECT_EQ(refused->status, 415) << type;
  }
  std::optional<ApiResponse> untyped = guard.CheckBodyType(Head("h", std::nullopt, "PUT"));
  ASSERT_TRUE(untyped);
  EXPECT_EQ(untyped->status, 415);
}

}  // namespace
}  // namespace goose
