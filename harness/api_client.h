// ApiClient: the HTTP client tests, gates and scenarios drive a goose-api
// server with.
//
// One keep-alive connection (cpp-httplib, TCP_NODELAY on), reused for
// every request, with the target's API key. Requests return the status and
// the parsed JSON body; nothing is kept between requests, so a steady loop
// of requests leaves the harness's heap exactly where it was.
//
// A test may install an after-request hook (the gates' sensitivity test
// leaks 8 bytes per request through it). Not thread-safe: one client per
// thread.

#ifndef GOOSE_HARNESS_API_CLIENT_H_
#define GOOSE_HARNESS_API_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/base/json.h"
#include "core/base/status.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace goose::testing {

// One HTTP answer: the status (-1 when none came: refused, reset, timed
// out, cancelled) and the body parsed as JSON (a discarded value when it is
// not JSON). Two members, so `auto [status, body] = client.Post(...)` reads
// well.
struct HttpAnswer {
  int status = -1;
  Json body;
  bool ok() const { return status == 200; }
};

// Called after every request an ApiClient makes (test-only).
using RequestHook = std::function<void()>;
void SetRequestHook(RequestHook hook);

class ApiClient {
 public:
  // A server on `host`:`port`; `api_key` goes in x-api-key unless empty.
  ApiClient(const std::string& host, int port, std::string api_key,
            std::chrono::milliseconds read_timeout = std::chrono::seconds(60));
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  HttpAnswer Post(const std::string& path, const Json& body);
  HttpAnswer Get(const std::string& path);

  // POST /session/start; the new session id, or an error naming the answer.
  Result<std::string> StartSession(const std::string& prompt);
  Status Reply(const std::string& session_id, const std::string& prompt);
  Status EndSession(const std::string& session_id);

 private:
  HttpAnswer Finish(int status, const std::string* body);

  std::string api_key_;
  std::unique_ptr<httplib::Client> client_;
};

// "POST /session/reply answered 500: {...}" for error messages.
Status AnswerError(const std::string& what, const HttpAnswer& answer);

}  // namespace goose::testing

#endif  // GOOSE_HARNESS_API_CLIENT_H_
