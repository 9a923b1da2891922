// Typed provider failures.
//
// A provider call fails in a few distinct ways that callers treat
// differently: a full context window triggers summarization, a rate limit
// may be retried after `retry_after`, the rest are reported. The server maps
// a ProviderError to an HTTP answer through ToStatus().

#ifndef GOOSE_CORE_MODEL_PROVIDER_ERROR_H_
#define GOOSE_CORE_MODEL_PROVIDER_ERROR_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose {

enum class ProviderErrorKind {
  kContextLengthExceeded,  // the conversation does not fit the model's window
  kRateLimited,            // HTTP 429; see retry_after
  kServerError,            // HTTP 5xx, or an error frame mid-stream
  kTransport,              // connection refused or dropped, stream ended early
  kTimeout,                // no answer within the configured time
  kBadResponse,            // the provider answered something we cannot parse
  kRequestRejected,        // HTTP 4xx other than the above (bad key, bad request)
  kCancelled,              // the consumer cancelled the stream
  kScriptExhausted,        // a scripted (mock) provider has no turn left
  kLimitExceeded,          // the answer passed a limit (ReplyLimits, nesting, head size)
};

std::string_view ProviderErrorKindName(ProviderErrorKind kind);

struct ProviderError {
  ProviderErrorKind kind = ProviderErrorKind::kServerError;
  std::string message;
  int http_status = 0;  // 0 when there was no HTTP answer
  std::optional<std::chrono::milliseconds> retry_after;

  // kContextLengthExceeded -> kContextLengthExceeded, kRateLimited and
  // kServerError and kTransport -> kUnavailable, kTimeout ->
  // kDeadlineExceeded, kCancelled -> kCancelled, the rest -> kInternal.
  Status ToStatus() const;
  std::string ToString() const;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_PROVIDER_ERROR_H_
