// How an OpenAI-compatible endpoint's failures become typed ProviderErrors.
//
// Pure functions of what arrived (status, headers, body text), so every
// mapping is unit-tested without a socket:
//
//   429                                   -> kRateLimited, retry_after from
//                                            Retry-After / retry-after-ms
//   400 or 413 about the context window   -> kContextLengthExceeded
//   5xx                                   -> kServerError
//   other 4xx                             -> kRequestRejected
//   anything else that is not 2xx         -> kBadResponse
//   {"error":{...}} frame mid-stream      -> kContextLengthExceeded or kServerError
//
// The message of every error carries the provider's own text (OpenAI's
// `error.message`, or the body itself when it is not OpenAI-shaped,
// shortened), so users see what the provider said.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_ERRORS_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_ERRORS_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/json.h"
#include "core/model/provider_error.h"

namespace goose {

// The two retry hints a 429 (or 503) may carry, as raw header values.
struct RetryHeaders {
  std::optional<std::string> retry_after;     // "Retry-After": seconds or an HTTP-date
  std::optional<std::string> retry_after_ms;  // "retry-after-ms": milliseconds (OpenAI, Azure)
};

// Parses a Retry-After value: delay-seconds ("7", also "1.5") or an
// IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to `now`; a date
// in the past gives zero. nullopt when the value is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// retry-after-ms wins over Retry-After when both are present and valid.
std::optional<std::chrono::milliseconds> RetryDelayFromHeaders(
    const RetryHeaders& headers, std::chrono::system_clock::time_point now);

// True when an error's code or message says the context window is full:
// code "context_length_exceeded", or a message such as "This model's
// maximum context length is 128000 tokens".
bool IsContextLengthError(std::string_view code, std::string_view message);

// The error for a non-2xx HTTP answer. `body` is the (possibly truncated)
// response body; `origin` ("https://api.openai.com") is named in the message.
ProviderError ErrorFromHttpResponse(int status, std::string_view body,
                                    const RetryHeaders& retry_headers, std::string_view origin,
                                    std::chrono::system_clock::time_point now);

// The error for an OpenAI error object ({"message","type","code",...}) met
// inside a 200 stream or body: kContextLengthExceeded for a full context
// window, else kServerError.
ProviderError ErrorFromErrorObject(const Json& error_object);

// The provider's own words from an error body: error.message, a string
// "error", a top-level "message", or else the body text itself (shortened
// to a few hundred bytes, invalid UTF-8 replaced). Never empty.
std::string ProviderMessageFromBody(std::string_view body);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_ERRORS_H_
