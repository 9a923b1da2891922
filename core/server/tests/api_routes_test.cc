// Every route and every documented error, through ApiRoutes::Handle (no
// socket), and the same over HTTP through ApiServer.

#include "core/server/api_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>

#include "core/agent/tests/fake_provider.h"
#include "core/model/session_id.h"
#include "core/server/api_server.h"
#include "core/server/debug_heap.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using testing::FakeAnswer;
using testing::FakeProvider;
using testing::TextItem;

constexpr const char* kKey = "test-key-0123456789";

// A catalog that remembers names; the stdio one has its own tests.
class NamesOnlyCatalog : public ExtensionCatalog {
 public:
  Status Add(const Json& config) override {
    if (!config.is_object() || !config.contains("name") || !config["name"].is_string()) {
      return InvalidArgument("name must be a string");
    }
    names_.insert(config["name"].get<std::string>());
    return Status::Ok();
  }
  Status Remove(const std::string& name) override {
    return names_.erase(name) ? Status::Ok() : NotFound("no extension " + name);
  }
  std::vector<std::string> Names() const override { return {names_.begin(), names_.end()}; }
  void Shutdown() override {}
  Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string&) override {
    return std::unique_ptr<ToolSet>();
  }

 private:
  std::set<std::string> names_;
};

class ApiRoutesTest : public ::testing::Test {
 protected:
  ApiRoutesTest() { Build(100); }

  void Build(size_t max_sessions) {
    routes_.reset();
    service_.reset();
    registry_.reset();
    RegistryOptions options;
    options.max_sessions = max_sessions;
    registry_ = std::make_unique<SessionRegistry>(
        options,
        [this](const std::string&) -> Result<std::unique_ptr<Agent>> {
          return std::make_unique<Agent>(&provider_, nullptr, AgentOptions{});
        },
        [this](const std::string& id) { return store_.ReadToResume(id); });
    service_ = std::make_unique<SessionService>(registry_.get(), &store_);
    ApiContext context;
    context.service = service_.get();
    context.registry = registry_.get();
    context.extensions = &catalog_;
    context.provider_name = "fake";
    context.model = "fake-model";
    context.api_key = kKey;
    routes_ = std::make_unique<ApiRoutes>(context);
  }

  ApiResponse Call(const std::string& method, const std::string& path, const std::string& body,
                   std::optional<std::string> key = std::string(kKey)) {
    ApiResponse r = routes_->Handle(ApiRequest{method, path, std::move(key), body});
    if (r.prepared) {  // an answer written as text (/session/get, /sessions/list)
      Result<Json> parsed = JsonParse(r.prepared->bytes.ToString(), "the answer");
      EXPECT_TRUE(parsed.ok()) << parsed.status().message();
      if (parsed.ok()) r.body = std::move(parsed).value();
    }
    return r;
  }

  std::string StartSession() {
    ApiResponse r = Call("POST", "/session/start", R"({"prompt":"hi"})");
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("session_id", "");
  }

  std::function<FakeAnswer(const ProviderRequest&)> answer_ =
      [](const ProviderRequest& r) -> FakeAnswer {
    if (r.system.find("4 words") != std::string::npos)
      return std::vector<StreamItem>{TextItem("d", "Chat")};
    return std::vector<StreamItem>{TextItem("1", "first"), TextItem("2", "second")};
  };
  FakeProvider provider_{[this](const ProviderRequest& r) { return answer_(r); }};
  goose::testing::ScopedTempDir dir_;
  SessionStore store_{dir_.path()};
  NamesOnlyCatalog catalog_;
  std::unique_ptr<SessionRegistry> registry_;
  std::unique_ptr<SessionService> service_;
  std::unique_ptr<ApiRoutes> routes_;
};

void ExpectError(const ApiResponse& r, int status, const std::string& fragment) {
  EXPECT_EQ(r.status, status) << r.body.dump();
  EXPECT_EQ(r.body.value("status", ""), "error") << r.body.dump();
  EXPECT_NE(r.body.value("message", "").find(fragment), std::string::npos) << r.body.dump();
}

TEST_F(ApiRoutesTest, StartReplyGetListEnd) {
  ApiResponse start = Call("POST", "/session/start", R"({"prompt":"hi"})");
  ASSERT_EQ(start.status, 200);
  EXPECT_EQ(start.body["message"], "first\nsecond");  // every assistant message
  EXPECT_EQ(start.body["status"], "success");
  const std::string id = start.body["session_id"];
  EXPECT_TRUE(ValidateSessionId(id).ok());

  ApiResponse reply =
      Call("POST", "/session/reply", Json{{"session_id", id}, {"prompt", "more"}}.dump());
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, Json({{"message", "first\nsecond"}, {"status", "success"}}));

  ApiResponse get = Call("POST", "/session/get", Json{{"session_id", id}}.dump());
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body["session_id"], id);
  EXPECT_EQ(get.body["messages"].size(), 6u);
  EXPECT_EQ(get.body["metadata"]["message_count"], 6);
  EXPECT_EQ(get.body["metadata"]["description"], "Chat");
  EXPECT_EQ(get.body["messages"][1]["role"], "assistant");

  ApiResponse list = Call("GET", "/sessions/list", "");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["sessions"].size(), 1u);
  EXPECT_EQ(list.body["sessions"][0]["session_id"], id);
  EXPECT_EQ(list.body["sessions"][0]["message_count"], 6);
  EXPECT_NE(list.body["sessions"][0]["modified"].get<std::string>().find("UTC"), std::string::npos);

  ApiResponse end = Call("POST", "/session/end", Json{{"session_id", id}}.dump());
  EXPECT_EQ(end.status, 200);
  EXPECT_EQ(end.body["status"], "success");
  EXPECT_FALSE(registry_->IsLive(id));
}

TEST_F(ApiRoutesTest, SummarizeAnswersTheSummary) {
  const std::string id = StartSession();
  answer_ = [](const ProviderRequest&) -> FakeAnswer {
    return std::vector<StreamItem>{TextItem("s", "SUM")};
  };
  ApiResponse r = Call("POST", "/session/summarize", Json{{"session_id", id}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["summary"], "SUM");
  EXPECT_EQ(r.body["status"], "success");
}

TEST_F(ApiRoutesTest, ContextLengthIsAWarning) {
  const std::string id = StartSession();
  answer_ = [](const ProviderRequest& r) -> FakeAnswer {
    if (r.system.find("Summarize") != std::string::npos)
      return std::vector<StreamItem>{TextItem("s", "S")};
    if (r.conversation.size() > 2) {
      return ProviderError{ProviderErrorKind::kContextLengthExceeded, "too long", 400, {}};
    }
    return std::vector<StreamItem>{TextItem("a", "ok")};
  };
  ApiResponse r = Call("POST", "/session/reply", Json{{"session_id", id}, {"prompt", "x"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "warning");
  EXPECT_EQ(r.body["message"], "ok");
}

TEST_F(ApiRoutesTest, EveryDocumentedError) {
  const std::string id = StartSession();
  ExpectError(Call("POST", "/session/start", "{not json"), 400, "not valid JSON");
  ExpectError(Call("POST", "/session/start", "[]"), 400, "must be an object");
  ExpectError(Call("POST", "/session/start", "{}"), 400, "prompt is missing");
  ExpectError(Call("POST", "/session/start", R"({"prompt":7})"), 400, "prompt must be a string");
  ExpectError(Call("POST", "/session/start", R"({"prompt":""})"), 400, "prompt must not be empty");
  ExpectError(Call("POST", "/session/reply", R"({"prompt":"x"})"), 400, "session_id is missing");
  ExpectError(Call("POST", "/session/reply", R"({"session_id":"../../etc/passwd","prompt":"x"})"),
              400, "path separator");
  ExpectError(Call("POST", "/session/reply",
                   R"({"session_id":"0b7c3c6e-1111-4222-8333-444455556666","prompt":"x"})"),
              404, "no session");
  ExpectError(
      Call("POST", "/session/end", R"({"session_id":"0b7c3c6e-1111-4222-8333-444455556666"})"), 404,
      "no session");
  ExpectError(Call("POST", "/session/start", R"({"prompt":"x"})", std::nullopt), 401,
              "missing x-api-key");
  ExpectError(Call("POST", "/session/start", R"({"prompt":"x"})", std::string("wrong")), 401,
              "does not match");
  ExpectError(Call("GET", "/sessions/list", "", std::string(kKey) + "x"), 401, "does not match");
  ExpectError(Call("GET", "/session/start", ""), 405, "not allowed");
  ExpectError(Call("POST", "/nope", "{}"), 404, "no route");
  answer_ = [](const ProviderRequest&) -> FakeAnswer {
    return ProviderError{ProviderErrorKind::kServerError, "upstream broke", 500, {}};
  };
  ExpectError(Call("POST", "/session/reply", Json{{"session_id", id}, {"prompt", "x"}}.dump()), 500,
              "upstream broke");
}

TEST_F(ApiRoutesTest, CapacityAnswers503) {
  Build(1);
  StartSession();
  ExpectError(Call("POST", "/session/start", R"({"prompt":"x"})"), 503, "limit of 1 live sessions");
}

TEST_F(ApiRoutesTest, ExtensionsRoutes) {
  ApiResponse add = Call("POST", "/extensions/add", R"({"type":"stdio","name":"dev","cmd":"x"})");
  EXPECT_EQ(add.status, 200);
  EXPECT_EQ(add.body, Json({{"error", false}, {"message", "Extension added"}}));
  EXPECT_EQ(Call("GET", "/extensions/list", "").body, Json({{"extensions", {"dev"}}}));
  EXPECT_EQ(Call("POST", "/extensions/remove", "\"dev\"").status, 200);
  ApiResponse again = Call("POST", "/extensions/remove", "\"dev\"");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.body["error"], true);
  EXPECT_EQ(Call("POST", "/extensions/remove", "42").status, 400);
  EXPECT_EQ(Call("POST", "/extensions/add", R"({"type":"stdio"})").status, 400);
}

TEST_F(ApiRoutesTest, ProviderConfigAndMetrics) {
  EXPECT_EQ(Call("GET", "/provider/config", "").body,
            Json({{"provider", "fake"}, {"model", "fake-model"}}));
  const std::string id = StartSession();
  // Without the key: the process's figures only, nothing about sessions.
  ApiResponse open = Call("GET", "/metrics", "", std::nullopt);
  ASSERT_EQ(open.status, 200);
  EXPECT_EQ(open.body.dump().find(id), std::string::npos);
  for (const char* k : {"active_sessions", "total_session_messages", "session_messages",
                        "sessions_reaped", "pending_requests"}) {
    EXPECT_FALSE(open.body.contains(k)) << k << " shown without the key: " << open.body.dump();
  }
  for (const char* k : {"sessions", "agents", "conversation_bytes"}) {
    EXPECT_FALSE(open.body["resources"].contains(k)) << k;
  }
  for (const char* k : {"heap_bytes", "rss_bytes", "open_fds", "threads"}) {
    EXPECT_TRUE(open.body["resources"].contains(k)) << k;
  }
  EXPECT_GT(open.body["resources"]["threads"].get<int64_t>(), 0);
  // With it: counts, ids and the ledger.
  ApiResponse keyed = Call("GET", "/metrics", "");
  EXPECT_EQ(keyed.body["active_sessions"], 1);
  EXPECT_EQ(keyed.body["total_session_messages"], 3);
  EXPECT_EQ(keyed.body["session_messages"][id], 3);
  for (const char* k : {"sessions", "agents", "live_streams"}) {
    EXPECT_TRUE(keyed.body["resources"].contains(k)) << k;
  }
}

// The same routes over a real socket: JSON errors from cpp-httplib's own
// answers (413), the server keeps serving after each.
TEST_F(ApiRoutesTest, DebugHeapOnlyInTcmallocBuilds) {
  const ApiResponse r = Call("GET", "/debug/heap", "");
  if (!DebugHeapAvailable()) {
    EXPECT_EQ(r.status, 404) << "no route in builds without tcmalloc";
    EXPECT_FALSE(r.text);
    return;
  }
  EXPECT_EQ(Call("GET", "/debug/heap", "", std::nullopt).status, 401);
  EXPECT_EQ(Call("POST", "/debug/heap", "").status, 405);
  if (HeapSamplePeriod() > 0) {
    EXPECT_EQ(r.status, 200);
    ASSERT_TRUE(r.text);
    EXPECT_EQ(r.text->rfind("heap profile:", 0), 0u) << *r.text;
  } else {
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.value("message", "").find("TCMALLOC_SAMPLE_PARAMETER"), std::string::npos);
  }
}

TEST_F(ApiRoutesTest, OverHttp) {
  ApiServerOptions options;
  options.max_body_bytes = 4096;
  ApiServer server(routes_.get(), options);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_tcp_nodelay(true);
  httplib::Headers key = {{"x-api-key", kKey}};

  auto start = client.Post("/session/start", key, R"({"prompt":"hi"})", "application/json");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->status, 200);
  EXPECT_EQ(start->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(start->body)["message"], "first\nsecond");

  auto big = client.Post("/session/start", key, std::string(10000, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(Json::parse(big->body)["status"], "error");

  auto unknown = client.Delete("/session/start", key);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 405);
  EXPECT_EQ(Json::parse(unknown->body)["status"], "error");

  auto nokey = client.Get("/sessions/list");
  ASSERT_TRUE(nokey);
  EXPECT_EQ(nokey->status, 401);

  auto still = client.Get("/sessions/list", key);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
  server.Stop();
}

TEST(ApiServerTest, PortInUseIsAClearError) {
  httplib::Server holder;
  const int port = holder.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  ApiServerOptions options;
  options.port = port;
  ApiContext context;
  ApiRoutes routes(context);
  ApiServer server(&routes, options);
  Status s = server.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace goose
