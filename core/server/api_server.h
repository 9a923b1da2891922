// ApiServer: ApiRoutes on cpp-httplib, listening on one address.
//
// Owns the listening socket, the worker pool and the listener thread.
// Start() binds (port 0 picks a free port) and returns once the server
// accepts connections; Stop() (or the destructor) stops accepting, lets
// in-flight requests finish, and joins every thread.
//
// Every request is bounded before its body is read (HttpServer's head
// check): a foreign Host or Origin answers 403 (RequestGuard), an unknown
// route 404 or 405, a missing or wrong key 401, a body that is not
// application/json 415,
// a chunked body (Transfer-Encoding) or a POST without Content-Length 411,
// a compressed body (Content-Encoding) 415, a body over max_body_bytes 413;
// the connection then closes. Connections, heads, request and response
// times are bounded by `limits` (core/base/http_connection.h). Every
// response is JSON, cpp-httplib's own errors included.

#ifndef GOOSE_CORE_SERVER_API_SERVER_H_
#define GOOSE_CORE_SERVER_API_SERVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/http_server.h"
#include "core/base/status.h"
#include "core/server/api_routes.h"
#include "core/server/request_guard.h"

namespace goose {

struct ApiServerOptions {
  ApiServerOptions() { limits.response_timeout = std::chrono::seconds(60); }

  std::string host = "127.0.0.1";
  int port = 0;
  // Names besides `host`, loopback names and IP addresses that clients
  // use to reach the server (RequestGuard).
  std::vector<std::string> allowed_hosts;
  size_t max_body_bytes = 1 << 20;
  // Answer bytes held for slow clients at once (AnswerBudget): a large
  // answer past it is refused with 503.
  size_t max_answer_buffer_bytes = 32 << 20;
  HttpLimits limits;
};

class ApiServer {
 public:
  // REQUIRES: `routes` and `answer_budget` outlive the server. Without a
  // budget, answers are not bounded.
  ApiServer(const ApiRoutes* routes, ApiServerOptions options,
            AnswerBudget* answer_budget = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts serving. Fails with a message naming the address when
  // the port is taken or the host is not local.
  Status Start();
  // The bound port (after Start).
  int port() const { return port_; }
  // Stops accepting and joins. Idempotent.
  void Stop();

 private:
  // options_.max_body_bytes (4x under the raise_body_limit failpoint, none
  // under lift_body_limit).
  size_t BodyLimit() const;
  void Serve(const httplib::Request& req, httplib::Response& res) const;
  std::optional<HttpConnection::Refusal> CheckHead(const httplib::Request& head) const;

  const ApiRoutes* routes_;
  const ApiServerOptions options_;
  const RequestGuard guard_;
  HttpServer server_;
  int port_ = 0;
  std::jthread listener_;
};

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_API_SERVER_H_
