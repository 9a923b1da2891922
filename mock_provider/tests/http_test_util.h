// Helpers for the mock-llm tests: a server per test and an HTTP client that
// records what arrived.

#ifndef GOOSE_MOCK_PROVIDER_TESTS_HTTP_TEST_UTIL_H_
#define GOOSE_MOCK_PROVIDER_TESTS_HTTP_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/script.h"
#include "mock_provider/tests/test_scripts.h"

namespace goose::mock::testing {

inline std::unique_ptr<MockLlmServer> StartServer(std::vector<Script> scripts,
                                                  size_t journal_size = 1000) {
  MockLlmServerOptions options;
  options.scripts = std::move(scripts);
  options.journal_size = journal_size;
  Result<std::unique_ptr<MockLlmServer>> server = MockLlmServer::Start(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

// One SSE frame as a client sees it.
struct SseFrame {
  std::string event;  // "event:" line, if any
  std::string data;   // "data:" lines joined by "\n"
  bool comment_only = false;
};

// Splits a complete SSE body into frames (test-grade parser: the body is
// whole, lines end in "\n").
inline std::vector<SseFrame> ParseSse(const std::string& body) {
  std::vector<SseFrame> frames;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) end = body.size();
    const std::string block = body.substr(pos, end - pos);
    pos = end + 2;
    SseFrame frame;
    bool any_field = false;
    size_t line_start = 0;
    while (line_start <= block.size()) {
      size_t nl = block.find('\n', line_start);
      if (nl == std::string::npos) nl = block.size();
      const std::string line = block.substr(line_start, nl - line_start);
      line_start = nl + 1;
      if (line.empty()) continue;
      if (line[0] == ':') continue;
      any_field = true;
      if (line.rfind("event: ", 0) == 0) frame.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) {
        if (!frame.data.empty()) frame.data += '\n';
        frame.data += line.substr(6);
      }
    }
    frame.comment_only = !any_field;
    if (!block.empty()) frames.push_back(std::move(frame));
  }
  return frames;
}

struct HttpResult {
  httplib::Error error = httplib::Error::Unknown;
  int status = 0;
  httplib::Headers headers;
  std::string body;  // what arrived (all of it, or up to the disconnect)
};

// POSTs `body` to 127.0.0.1:port/path. `keep_reading(received_so_far)` may
// return false to hang up mid-response.
inline HttpResult Post(int port, const std::string& path, const Json& body,
                       const httplib::Headers& headers = {},
                       std::function<bool(const std::string&)> keep_reading = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30, 0);
  client.set_connection_timeout(5, 0);
  HttpResult out;
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.body = JsonDump(body);
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&out, &keep_reading](const char* data, size_t len, uint64_t, uint64_t) {
    out.body.append(data, len);
    return !keep_reading || keep_reading(out.body);
  };
  req.response_handler = [&out](const httplib::Response& res) {
    out.status = res.status;
    out.headers = res.headers;
    return true;
  };
  httplib::Result result = client.send(req);
  out.error = result.error();
  if (result) out.status = result->status;
  return out;
}

inline Json GetJson(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  httplib::Result result = client.Get(path.c_str());
  EXPECT_TRUE(result) << "GET " << path << " failed";
  if (!result) return Json();
  return Json::parse(result->body);
}

// A chat request with one user message.
inline Json ChatRequest(const std::string& model, const std::string& prompt, bool stream,
                        bool include_usage = true) {
  Json body = {{"model", model},
               {"messages", Json::array({Json{{"role", "user"}, {"content", prompt}}})},
               {"stream", stream}};
  if (stream && include_usage) body["stream_options"] = {{"include_usage", true}};
  return body;
}

}  // namespace goose::mock::testing

#endif  // GOOSE_MOCK_PROVIDER_TESTS_HTTP_TEST_UTIL_H_
