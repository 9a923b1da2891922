#include "core/providers/openai_http.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/base/failpoint.h"
#include "core/base/strings.h"
#include "core/providers/bounded_client.h"

namespace goose {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kUserAgent = "goose-api-cpp";

// httplib reports an idle timeout and a dropped connection both as
// Error::Read; a read error this close to the idle timeout is the timeout.
// (The poll timeout is exact; the slack only absorbs clock granularity.)
constexpr double kIdleTimeoutSlack = 0.9;

std::string LowerMediaType(const std::string& value) {
  std::string out = value.substr(0, value.find(';'));
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string HostHeader(const OpenAIConfig& config) {
  std::string host =
      config.host.find(':') != std::string::npos ? "[" + config.host + "]" : config.host;
  const int default_port = config.scheme == "https" ? 443 : 80;
  if (config.port != default_port) host += ":" + std::to_string(config.port);
  return host;
}

std::unique_ptr<httplib::ClientImpl> MakeClient(const OpenAIConfig& config, HeadBound* bound) {
  std::unique_ptr<httplib::ClientImpl> client =
      MakeBoundedClient(config.scheme, config.host, config.port, bound);
  if (config.scheme == "https") {
    static_cast<httplib::SSLClient*>(client.get())->enable_server_certificate_verification(true);
  }
  client->set_tcp_nodelay(true);
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->set_connection_timeout(config.connect_timeout);
  client->set_read_timeout(config.IdleTimeout());
  client->set_write_timeout(config.IdleTimeout());
  return client;
}

// config.max_head_bytes, taken as 4x its value under the
// raise_provider_head failpoint (its canary, docs/reliability.md).
size_t HeadLimit(const OpenAIConfig& config) {
  return RaisedLimit(Failpoint::kRaiseProviderHead, config.max_head_bytes);
}

}  // namespace

InterruptibleConnection::Shutdown ShutdownFor(const OpenAIConfig& config) {
  return config.scheme == "https" ? InterruptibleConnection::Shutdown::kReadOnly
                                  : InterruptibleConnection::Shutdown::kReadAndWrite;
}

HttpAttempt PostOnce(const OpenAIConfig& config, const ByteQueue& body, bool stream,
                     InterruptibleConnection* connection, HttpResponseSink* sink) {
  HttpAttempt attempt;
  attempt.last_activity = steady_clock::now();
  HeadBound bound;
  bound.max_head_bytes = HeadLimit(config);
  std::unique_ptr<httplib::ClientImpl> client = MakeClient(config, &bound);
  client->set_socket_options([connection](socket_t sock) { connection->Attach(sock); });

  httplib::Request request;
  request.method = "POST";
  request.path = config.base_path;
  // Sent from its blocks as they are (request.body would be a copy of it).
  request.content_length_ = body.size();
  request.content_provider_ = [views = body.Views()](size_t offset, size_t length,
                                                     httplib::DataSink& sink) {
    for (std::string_view view : views) {
      if (offset >= view.size()) {
        offset -= view.size();
        continue;
      }
      const size_t n = std::min(length, view.size() - offset);
      return sink.write(view.data() + offset, n);
    }
    return false;
  };
  request.headers = {
      {"Host", HostHeader(config)},
      {"Content-Type", "application/json"},
      {"Accept", stream ? "text/event-stream" : "application/json"},
      {"Accept-Encoding", "identity"},
      {"User-Agent", kUserAgent},
  };
  if (!config.api_key.empty()) request.headers.emplace("Authorization", "Bearer " + config.api_key);
  request.response_handler = [&](const httplib::Response& response) {
    attempt.last_activity = steady_clock::now();
    attempt.head.status = response.status;
    attempt.head.content_type = LowerMediaType(response.get_header_value("Content-Type"));
    if (response.has_header("Retry-After")) {
      attempt.head.retry_headers.retry_after = response.get_header_value("Retry-After");
    }
    if (response.has_header("retry-after-ms")) {
      attempt.head.retry_headers.retry_after_ms = response.get_header_value("retry-after-ms");
    }
    return sink->OnHead(attempt.head);
  };
  request.content_receiver = [&](const char* data, size_t size, uint64_t /*offset*/,
                                 uint64_t /*total*/) {
    attempt.last_activity = steady_clock::now();
    return sink->OnBody(std::string_view(data, size));
  };

  httplib::Response response;
  attempt.completed = client->send(request, response, attempt.error);
  attempt.head_too_large = bound.too_large;
  client.reset();  // closes httplib's socket (if still open) before ours
  connection->Detach();
  return attempt;
}

ProviderError TransportError(const OpenAIConfig& config, const HttpAttempt& attempt,
                             steady_clock::time_point now) {
  ProviderError error;
  error.kind = ProviderErrorKind::kTransport;
  error.http_status = attempt.head.status > 0 ? attempt.head.status : 0;
  const std::string origin = config.Origin();
  const std::string detail = " (" + httplib::to_string(attempt.error) + ")";
  if (attempt.head_too_large) {
    error.kind = ProviderErrorKind::kBadResponse;
    error.message = origin + " sent an answer whose head is larger than " +
                    std::to_string(HeadLimit(config)) + " bytes";
    return error;
  }
  switch (attempt.error) {
    case httplib::Error::Connection:
      error.message = "could not connect to " + origin + detail;
      break;
    case httplib::Error::ConnectionTimeout:
      error.kind = ProviderErrorKind::kTimeout;
      error.message =
          "connecting to " + origin + " took longer than " + FormatSeconds(config.connect_timeout);
      break;
    case httplib::Error::Read: {
      const auto silent = std::chrono::duration_cast<milliseconds>(now - attempt.last_activity);
      if (static_cast<double>(silent.count()) >=
          kIdleTimeoutSlack * static_cast<double>(config.IdleTimeout().count())) {
        error.kind = ProviderErrorKind::kTimeout;
        error.message =
            origin + " sent nothing for " + FormatSeconds(config.IdleTimeout()) +
            (attempt.head.status > 0 ? " in the middle of its answer" : " after the request");
      } else {
        error.message =
            "the connection to " + origin + " dropped " +
            (attempt.head.status > 0 ? "in the middle of the answer" : "before an answer") + detail;
      }
      break;
    }
    case httplib::Error::Write:
      error.message = "sending the request to " + origin + " failed" + detail;
      break;
    case httplib::Error::SSLConnection:
      error.message = "the TLS handshake with " + origin + " failed" + detail;
      break;
    case httplib::Error::SSLServerVerification:
      error.message = "the TLS certificate of " + origin + " did not verify" + detail;
      break;
    case httplib::Error::Canceled:
      error.kind = ProviderErrorKind::kCancelled;
      error.message = "the call to " + origin + " was cancelled";
      break;
    case httplib::Error::Compression:
      error.kind = ProviderErrorKind::kBadResponse;
      error.message = origin + " sent a body that does not decompress" + detail;
      break;
    default:
      error.message = "the call to " + origin + " failed" + detail;
      break;
  }
  return error;
}

bool IsRetryable(const ProviderError& error) {
  return error.kind == ProviderErrorKind::kRateLimited ||
         (error.kind == ProviderErrorKind::kServerError && error.http_status >= 500);
}

milliseconds RetryDelay(const OpenAIConfig& config, int retry, const ProviderError& error) {
  if (error.retry_after) return std::min(*error.retry_after, config.max_retry_wait);
  milliseconds delay = config.initial_backoff;
  for (int i = 0; i < retry && delay < config.max_retry_wait; ++i) delay *= 2;
  return std::min(delay, config.max_retry_wait);
}

}  // namespace goose
