#include "core/server/api_server.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/resource_ledger.h"
#include "core/base/strings.h"

namespace goose {
namespace {
constexpr const char* kJson = "application/json";
}  // namespace

size_t ApiServer::BodyLimit() const {
  // lift_body_limit removes the limit, raise_body_limit loosens it 4x: the
  // canaries that prove its gates fail on either.
  if (FailpointOn(Failpoint::kLiftBodyLimit)) return SIZE_MAX;
  return RaisedLimit(Failpoint::kRaiseBodyLimit, options_.max_body_bytes);
}

ApiServer::ApiServer(const ApiRoutes* routes, ApiServerOptions options, AnswerBudget* answer_budget)
    : routes_(routes),
      options_(std::move(options)),
      guard_(RequestGuardOptions{options_.host, options_.allowed_hosts}),
      server_(options_.limits, answer_budget) {
  server_.set_payload_max_length(BodyLimit());
  server_.SetHeadCheck([this](const httplib::Request& head) { return CheckHead(head); });
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

std::optional<HttpConnection::Refusal> ApiServer::CheckHead(const httplib::Request& head) const {
  auto refuse = [](int status, const std::string& message) {
    return HttpConnection::Refusal{status, JsonDump(ErrorResponse(status, message).body), kJson};
  };
  const auto header = [&](const char* name) -> std::optional<std::string> {
    if (!head.has_header(name)) return std::nullopt;
    return head.get_header_value(name);
  };
  const GuardedHead guarded{head.method, header("Host"), header("Origin"), header("Content-Type")};
  std::optional<ApiResponse> refused = guard_.CheckSender(guarded);
  if (!refused) refused = routes_->Admit(head.method, head.path, header("x-api-key"));
  if (!refused) refused = guard_.CheckBodyType(guarded);
  if (refused) return HttpConnection::Refusal{refused->status, JsonDump(refused->body), kJson};
  if (FailpointOn(Failpoint::kLiftBodyFraming)) return std::nullopt;
  if (head.has_header("Transfer-Encoding")) {
    return refuse(411,
                  "chunked request bodies (Transfer-Encoding) are not accepted; send the "
                  "body with a Content-Length");
  }
  if (head.has_header("Content-Encoding") &&
      Lower(Trim(head.get_header_value("Content-Encoding"))) != "identity") {
    return refuse(415,
                  "compressed request bodies (Content-Encoding) are not accepted; send the "
                  "body uncompressed");
  }
  const bool has_length = head.has_header("Content-Length");
  if (!has_length) {
    if (head.method == "POST" || head.method == "PUT" || head.method == "PATCH") {
      return refuse(411, head.method + " needs a Content-Length");
    }
    return std::nullopt;
  }
  const std::string length = head.get_header_value("Content-Length");
  if (length.empty() || length.size() > 19 ||
      length.find_first_not_of("0123456789") != std::string::npos) {
    return refuse(400, "Content-Length must be a number of bytes");
  }
  if (std::stoull(length) > BodyLimit()) {
    return refuse(413, "the request body is larger than GOOSE_API_MAX_BODY_BYTES (" +
                           std::to_string(BodyLimit()) + " bytes)");
  }
  return std::nullopt;
}

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
  if (response.prepared) {
    HttpServer::SetQueuedContent(res, std::move(response.prepared->bytes),
                                 std::move(response.prepared->charge), kJson);
  } else if (response.text) {
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
  // Stops accepting, closes idle connections, finishes the requests in
  // flight and joins the workers; then the listener thread ends.
  server_.Shutdown();
  listener_.join();
}

}  // namespace goose
