// GateClient: the HTTP client a scenario drives its target with.
//
// One keep-alive connection (cpp-httplib, TCP_NODELAY on), reused for
// every request, with the target's API key. Requests return the status and
// the parsed JSON body; nothing is kept between requests, so a steady loop
// of requests leaves the harness's heap exactly where it was.
//
// A test may install an after-request hook (the gates' sensitivity test
// leaks 8 bytes per request through it). Not thread-safe: one client per
// thread.

#ifndef GOOSE_SCENARIOS_LIB_GATE_CLIENT_H_
#define GOOSE_SCENARIOS_LIB_GATE_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "scenarios/lib/target.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace goose::scenarios {

struct HttpAnswer {
  int status = -1;  // -1: no answer (connection failed, timed out, cancelled)
  Json body;        // null when the body is not JSON
  bool ok() const { return status == 200; }
};

// Called after every request a GateClient makes (test-only).
using RequestHook = std::function<void()>;
void SetRequestHook(RequestHook hook);

class GateClient {
 public:
  // REQUIRES: `target` is started and outlives the client.
  explicit GateClient(const Target& target,
                      std::chrono::milliseconds read_timeout = std::chrono::seconds(60));
  // Any HTTP server on `host`:`port` (e.g. mock-llm's /mock/stats).
  GateClient(const std::string& host, int port, std::string api_key,
             std::chrono::milliseconds read_timeout);
  ~GateClient();
  GateClient(const GateClient&) = delete;
  GateClient& operator=(const GateClient&) = delete;

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

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_LIB_GATE_CLIENT_H_
