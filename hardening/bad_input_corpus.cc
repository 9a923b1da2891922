#include "hardening/bad_input_corpus.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/base/json.h"
#include "hardening/raw_http.h"

namespace goose::hardening {

testing::TestServerOptions HardeningServerOptions() {
  testing::TestServerOptions options;
  options.stack.http.limits.request_timeout = std::chrono::seconds(1);
  return options;
}

std::vector<BadRequest> BadRequestCorpus(size_t max_body_bytes) {
  const std::string valid_but_unknown = "3b241101-e2bb-4255-8caf-4136c566a962";
  const std::optional<std::string> key = std::string(kKey);
  std::vector<BadRequest> c = {
      {"invalid_json", "POST", "/session/start", key, R"({"prompt":)", 400},
      {"not_json_at_all", "POST", "/session/start", key, "prompt=hello", 400},
      // nlohmann throws out_of_range, not parse_error, for this: it used to
      // escape JsonParse (found by api_routes_fuzzer).
      {"number_out_of_range", "POST", "/session/start", key, R"({"prompt":"x","n":1e999})", 400},
      {"deep_nesting_near_limit", "POST", "/session/start", key,
       std::string(400000, '[') + std::string(400000, ']'), 400},
      {"empty_body", "POST", "/session/start", key, "", 400},
      {"body_is_array", "POST", "/session/start", key, "[1,2,3]", 400},
      {"body_is_null", "POST", "/session/start", key, "null", 400},
      {"prompt_wrong_type", "POST", "/session/start", key, R"({"prompt":5})", 400},
      {"prompt_object", "POST", "/session/start", key, R"({"prompt":{"a":1}})", 400},
      {"missing_prompt", "POST", "/session/start", key, "{}", 400},
      {"empty_prompt", "POST", "/session/start", key, R"({"prompt":""})", 400},
      {"invalid_utf8_prompt", "POST", "/session/start", key, "{\"prompt\":\"\xff\xfe\"}", 400},
      {"nested_deeply", "POST", "/session/start", key,
       std::string(5000, '[') + std::string(5000, ']'), 400},
      {"reply_missing_id", "POST", "/session/reply", key, R"({"prompt":"x"})", 400},
      {"reply_id_wrong_type", "POST", "/session/reply", key, R"({"session_id":7,"prompt":"x"})",
       400},
      {"reply_missing_prompt", "POST", "/session/reply", key,
       R"({"session_id":")" + valid_but_unknown + "\"}", 400},
      {"reply_unknown_session", "POST", "/session/reply", key,
       R"({"session_id":")" + valid_but_unknown + R"(","prompt":"x"})", 404},
      {"invalid_session_id", "POST", "/session/reply", key,
       R"({"session_id":"not a valid id!","prompt":"x"})", 400},
      {"traversal_id", "POST", "/session/get", key, R"({"session_id":"../../../etc/passwd"})", 400},
      {"traversal_id_encoded", "POST", "/session/get", key, R"({"session_id":"..%2F..%2Fetc"})",
       400},
      {"absolute_path_id", "POST", "/session/end", key, R"({"session_id":"/tmp/x"})", 400},
      {"nul_in_id", "POST", "/session/get", key, "{\"session_id\":\"a\\u0000b\"}", 400},
      {"huge_id", "POST", "/session/get", key,
       R"({"session_id":")" + std::string(100000, 'a') + "\"}", 400},
      {"summarize_unknown", "POST", "/session/summarize", key,
       R"({"session_id":")" + valid_but_unknown + "\"}", 404},
      {"end_unknown", "POST", "/session/end", key, R"({"session_id":")" + valid_but_unknown + "\"}",
       404},
      {"unknown_route", "GET", "/no/such/route", key, "", 404},
      {"unknown_route_post", "POST", "/session/explode", key, "{}", 404},
      {"traversal_route", "GET", "/../../etc/passwd", key, "", 404},
      {"wrong_method", "GET", "/session/start", key, "", 405},
      {"wrong_method_put", "PUT", "/session/reply", key, "{}", 405},
      {"wrong_method_delete", "DELETE", "/sessions/list", key, "", 405},
      {"missing_key", "POST", "/session/start", std::nullopt, R"({"prompt":"x"})", 401},
      {"wrong_key", "POST", "/session/start", std::string("wrong"), R"({"prompt":"x"})", 401},
      {"empty_key", "GET", "/sessions/list", std::string(""), "", 401},
      {"key_prefix", "GET", "/sessions/list", std::string(kKey).substr(0, 5), "", 401},
      {"extension_add_not_object", "POST", "/extensions/add", key, R"("x")", 400},
      {"extension_remove_unknown", "POST", "/extensions/remove", key, R"({"name":"nope"})", 404},
      {"body_over_limit", "POST", "/session/start", key,
       R"({"prompt":")" + std::string(max_body_bytes + 1024, 'x') + "\"}", 413},
  };
  return c;
}

namespace {

using namespace std::chrono_literals;

// The reply to `request` sent whole on a fresh connection.
HttpReply Exchange(int port, const std::string& request) {
  RawConnection conn(port);
  if (!conn.valid()) return {};
  conn.Send(request);  // the server may stop reading early (413): read anyway
  bool closed = false;
  return ParseReply(conn.ReadUntilClosed(30s, &closed));
}

void ExpectJsonError(const HttpReply& reply, const std::string& what) {
  Json body = Json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << what << ": not a JSON object: " << reply.body.substr(0, 200);
  // goose-api's error shape: {"status": "error"}, except the extension
  // routes, which answer {"error": true} (DESIGN.md, routes table).
  const bool marked = (body.contains("status") && body["status"] == "error") ||
                      (body.contains("error") && body["error"] == true);
  EXPECT_TRUE(marked) << what << ": " << body.dump();
  ASSERT_TRUE(body.contains("message") && body["message"].is_string()) << what;
  EXPECT_FALSE(body["message"].get<std::string>().empty()) << what;
}

void ExpectStillServing(int port, const std::string& after) {
  HttpReply r = Exchange(port, HttpRequest("GET", "/sessions/list", std::string(kKey), ""));
  EXPECT_EQ(r.status, 200) << "the server stopped answering after " << after;
}

}  // namespace

void SendBadRequests(int port, size_t max_body_bytes) {
  for (const BadRequest& c : BadRequestCorpus(max_body_bytes)) {
    HttpReply reply = Exchange(port, HttpRequest(c.method, c.path, c.key, c.body));
    EXPECT_EQ(reply.status, c.expected_status) << c.name << ": " << reply.body.substr(0, 300);
    ExpectJsonError(reply, c.name);
  }
  ExpectStillServing(port, "the bad requests");
}

void RunMisbehavingClients(int port, int connections, std::chrono::milliseconds cutoff_bound,
                           bool stalled) {
  {  // A byte at a time, steadily: slow but legitimate, so it is answered.
    RawConnection conn(port);
    ASSERT_TRUE(conn.valid());
    const std::string request = HttpRequest("GET", "/sessions/list", std::string(kKey), "");
    for (char ch : request) {
      ASSERT_TRUE(conn.Send(std::string_view(&ch, 1)));
      std::this_thread::sleep_for(2ms);  // the pacing is the scenario, not synchronisation
    }
    bool closed = false;
    EXPECT_EQ(ParseReply(conn.ReadUntilClosed(30s, &closed)).status, 200) << "byte-at-a-time";
  }
  const std::string partial_body =
      "POST /session/start HTTP/1.1\r\nHost: x\r\nx-api-key: " + std::string(kKey) +
      "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":";
  for (const std::string& stall :
       {std::string("GET /sessions/list HTTP/1.1\r\nHo"), partial_body}) {
    if (!stalled) break;
    RawConnection conn(port);
    ASSERT_TRUE(conn.valid());
    ASSERT_TRUE(conn.Send(stall));
    bool closed = false;
    std::string got = conn.ReadUntilClosed(cutoff_bound, &closed);
    EXPECT_TRUE(closed) << "a stalled client was not cut off: " << stall.substr(0, 40);
    if (!got.empty()) ExpectJsonError(ParseReply(got), "stalled client's answer");
  }
  ExpectStillServing(port, "stalled clients");
  {  // Reset in the middle of a request.
    RawConnection conn(port);
    ASSERT_TRUE(conn.valid());
    ASSERT_TRUE(conn.Send(partial_body.substr(0, partial_body.size() / 2)));
    conn.Abort();
  }
  {  // Reset in the middle of the reply: the request is whole, the reader gone.
    RawConnection conn(port);
    ASSERT_TRUE(conn.valid());
    ASSERT_TRUE(conn.Send(HttpRequest("POST", "/session/start", std::string(kKey),
                                      R"({"prompt":"gone before the answer"})")));
    conn.Abort();
  }
  ExpectStillServing(port, "disconnects");
  {  // Many connections at once, then all dropped (half reset, half closed).
    std::vector<RawConnection> open;
    open.reserve(static_cast<size_t>(connections));
    for (int i = 0; i < connections; ++i) {
      open.emplace_back(port);
      ASSERT_TRUE(open.back().valid()) << "connection " << i;
    }
    for (size_t i = 0; i < open.size(); ++i) {
      if (i % 2 == 0) {
        open[i].Abort();
      } else {
        open[i].Close();
      }
    }
  }
  ExpectStillServing(port, "a flood of dropped connections");
}

}  // namespace goose::hardening
