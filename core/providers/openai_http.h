// One HTTP POST to an OpenAI-compatible endpoint, and the policy around it.
//
// PostOnce() builds a cpp-httplib client for the configured endpoint (plain
// or TLS with certificate verification; TCP_NODELAY; connect, read and
// write timeouts; no keep-alive; no redirects), sends the JSON body and
// hands the answer's head and body bytes to an HttpResponseSink as they
// arrive. The socket is registered with an InterruptibleConnection, which
// counts it in Gauge::kProviderConnections and lets another thread break
// the call.
//
// The helpers below turn what happened into ProviderErrors (transport
// failures here; HTTP statuses in openai_errors.h) and decide on retries.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_HTTP_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_HTTP_H_

#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>

#include "core/base/byte_queue.h"
#include "core/model/provider_error.h"
#include "core/providers/interruptible_connection.h"
#include "core/providers/openai_config.h"
#include "core/providers/openai_errors.h"

namespace goose {

// The answer's status line and the headers we act on.
struct HttpHead {
  int status = 0;
  std::string content_type;  // lower case, parameters dropped: "text/event-stream"
  RetryHeaders retry_headers;
};

// Receives one answer. Returning false from either call aborts the request
// (httplib reports Error::Canceled).
class HttpResponseSink {
 public:
  virtual ~HttpResponseSink() = default;
  virtual bool OnHead(const HttpHead& head) = 0;
  virtual bool OnBody(std::string_view bytes) = 0;
};

// What one attempt came to.
struct HttpAttempt {
  bool completed = false;  // the whole answer was read
  httplib::Error error = httplib::Error::Success;
  HttpHead head;  // status 0 when no head arrived
  // When the last byte (or the request, before any answer) went by; tells an
  // idle timeout from a dropped connection, which httplib reports alike.
  std::chrono::steady_clock::time_point last_activity;
  // The answer's head passed config.max_head_bytes (the call was broken off).
  bool head_too_large = false;
};

// Which shutdown an InterruptibleConnection should use for this endpoint.
InterruptibleConnection::Shutdown ShutdownFor(const OpenAIConfig& config);

// Sends `body` as POST config.base_path and feeds the answer to `sink`.
// `stream` selects "Accept: text/event-stream". Blocks until the answer is
// read, the sink aborts, a timeout fires or `connection` is interrupted.
// REQUIRES: `connection` is not used by another call at the same time.
HttpAttempt PostOnce(const OpenAIConfig& config, const ByteQueue& body, bool stream,
                     InterruptibleConnection* connection, HttpResponseSink* sink);

// The error for an attempt that failed below HTTP (connect, read, write,
// TLS): kTimeout when the connect or idle timeout explains it, else
// kTransport. The message names the endpoint and what failed.
ProviderError TransportError(const OpenAIConfig& config, const HttpAttempt& attempt,
                             std::chrono::steady_clock::time_point now);

// 429 and 5xx answers may be retried.
bool IsRetryable(const ProviderError& error);

// How long to wait before retry number `retry` (0 for the first): the
// server's hint capped at max_retry_wait, else exponential backoff.
std::chrono::milliseconds RetryDelay(const OpenAIConfig& config, int retry,
                                     const ProviderError& error);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_HTTP_H_
