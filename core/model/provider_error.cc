#include "core/model/provider_error.h"

namespace goose {

std::string_view ProviderErrorKindName(ProviderErrorKind kind) {
  switch (kind) {
    case ProviderErrorKind::kContextLengthExceeded:
      return "context_length_exceeded";
    case ProviderErrorKind::kRateLimited:
      return "rate_limited";
    case ProviderErrorKind::kServerError:
      return "server_error";
    case ProviderErrorKind::kTransport:
      return "transport_error";
    case ProviderErrorKind::kTimeout:
      return "timeout";
    case ProviderErrorKind::kBadResponse:
      return "bad_response";
    case ProviderErrorKind::kRequestRejected:
      return "request_rejected";
    case ProviderErrorKind::kCancelled:
      return "cancelled";
    case ProviderErrorKind::kScriptExhausted:
      return "script_exhausted";
    case ProviderErrorKind::kLimitExceeded:
      return "limit_exceeded";
  }
  return "unknown";
}

std::string ProviderError::ToString() const {
  std::string out = "provider " + std::string(ProviderErrorKindName(kind));
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  if (retry_after) out += " (retry after " + std::to_string(retry_after->count()) + " ms)";
  return out;
}

Status ProviderError::ToStatus() const {
  StatusCode code = StatusCode::kInternal;
  switch (kind) {
    case ProviderErrorKind::kContextLengthExceeded:
      code = StatusCode::kContextLengthExceeded;
      break;
    case ProviderErrorKind::kRateLimited:
    case ProviderErrorKind::kServerError:
    case ProviderErrorKind::kTransport:
      code = StatusCode::kUnavailable;
      break;
    case ProviderErrorKind::kTimeout:
      code = StatusCode::kDeadlineExceeded;
      break;
    case ProviderErrorKind::kCancelled:
      code = StatusCode::kCancelled;
      break;
    case ProviderErrorKind::kLimitExceeded:
      code = StatusCode::kLimitExceeded;
      break;
    case ProviderErrorKind::kBadResponse:
    case ProviderErrorKind::kRequestRejected:
    case ProviderErrorKind::kScriptExhausted:
      code = StatusCode::kInternal;
      break;
  }
  return Status(code, ToString());
}

}  // namespace goose
