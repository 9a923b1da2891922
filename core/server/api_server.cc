#include "core/server/api_server.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/resource_ledger.h"

namespace goose {
namespace {
constexpr const char* kJson = "application/json";
}  // namespace

ApiServer::ApiServer(const ApiRoutes* routes, ApiServerOptions options)
    : routes_(routes), options_(std::move(options)) {
  const int threads = options_.threads;
  server_.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));  // owned by httplib
  };
  server_.set_payload_max_length(options_.max_body_bytes);
  server_.set_read_timeout(options_.read_timeout);
  server_.set_write_timeout(options_.read_timeout);
  // cpp-httplib waits up to the keep-alive timeout for a request's first
  // bytes and then the read timeout for the rest: a client that stalls is
  // cut off after their sum, so the keep-alive wait may not exceed the read
  // timeout the options promise.
  server_.set_keep_alive_timeout(std::min<time_t>(
      5, std::max<time_t>(
             1, std::chrono::duration_cast<std::chrono::seconds>(options_.read_timeout).count())));
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
  for (const char* pattern : {".*"}) {
    server_.Get(pattern, handler);
    server_.Post(pattern, handler);
    server_.Put(pattern, handler);
    server_.Delete(pattern, handler);
    server_.Patch(pattern, handler);
    server_.Options(pattern, handler);
  }
  // cpp-httplib answers some requests itself (413, 400 for a malformed
  // request line): give those a JSON body too.
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = res.status == 413 ? "the request body is too large"
                                                : std::string("HTTP ") + std::to_string(res.status);
        res.set_content(JsonDump(ErrorResponse(res.status, message).body), kJson);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        GOOSE_LOG(kError) << req.method << " " << req.path << " failed: " << what;
        res.status = 500;
        res.set_content(JsonDump(ErrorResponse(500, "internal error: " + what).body), kJson);
      });
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Serve(const httplib::Request& req, httplib::Response& res) const {
  LedgerEntry pending(Gauge::kPendingRequests);
  InjectRequestFaults();  // nothing unless a test switched a failpoint on
  ApiRequest request;
  request.method = req.method;
  request.path = req.path;
  if (req.has_header("x-api-key")) request.api_key = req.get_header_value("x-api-key");
  request.body = req.body;
  ApiResponse response = routes_->Handle(request);
  res.status = response.status;
  if (response.text) {
    res.set_content(std::move(*response.text), "text/plain; charset=utf-8");
  } else {
    res.set_content(JsonDump(response.body), kJson);
  }
}

Status ApiServer::Start() {
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.host);
  } else {
    port_ = server_.bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                      " (port in use, or not an address of this machine); set GOOSE_API_PORT "
                      "or GOOSE_API_HOST");
  }
  if (!server_.WidenBacklog()) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                std::to_string(port_) + ": " +
                                                std::strerror(errno));
  }
  listener_ = std::jthread([this] { server_.listen_after_bind(); });
  // Connections queue in the backlog from bind on, but stop() only works
  // once the listener runs: wait for it so Stop() can never miss it.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void ApiServer::Stop() {
  if (!listener_.joinable()) return;
  server_.stop();  // closes the socket; the pool finishes in-flight requests
  listener_.join();
}

}  // namespace goose
