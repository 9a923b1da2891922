// ApiServer: ApiRoutes on cpp-httplib, listening on one address.
//
// Owns the listening socket, the worker pool and the listener thread.
// Start() binds (port 0 picks a free port) and returns once the server
// accepts connections; Stop() (or the destructor) stops accepting, lets
// in-flight requests finish, and joins every thread.
//
// Requests are bounded: bodies over max_body_bytes answer 413, a client
// that stalls is cut off within twice read_timeout (cpp-httplib's wait for
// a request's first bytes, kept at most read_timeout, then read_timeout for
// the rest), and every response is JSON (cpp-httplib's own errors included).

#ifndef GOOSE_CORE_SERVER_API_SERVER_H_
#define GOOSE_CORE_SERVER_API_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/base/http_server.h"
#include "core/base/status.h"
#include "core/server/api_routes.h"

namespace goose {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  size_t max_body_bytes = 1 << 20;
  int threads = 16;
  std::chrono::milliseconds read_timeout{10'000};
};

class ApiServer {
 public:
  // REQUIRES: `routes` outlives the server.
  ApiServer(const ApiRoutes* routes, ApiServerOptions options);
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
  void Serve(const httplib::Request& req, httplib::Response& res) const;

  const ApiRoutes* routes_;
  const ApiServerOptions options_;
  HttpServer server_;
  int port_ = 0;
  std::jthread listener_;
};

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_API_SERVER_H_
