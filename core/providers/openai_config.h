// OpenAIConfig: where and how OpenAIProvider talks to an OpenAI-compatible
// endpoint, and how it is read from the environment.
//
// Environment (the names goose uses, plus the API's own GOOSE_API_* ones;
// the defaults are the initialisers below, listed by `goose-api --help`):
//   GOOSE_API_PROVIDER    must be "openai" or unset for this provider
//   GOOSE_API_MODEL       model name
//   OPENAI_HOST           scheme://host[:port][/path]; http and https only
//   OPENAI_BASE_PATH      request path; relative paths are appended to
//                         OPENAI_HOST's path, a leading "/" makes it absolute
//   OPENAI_API_KEY        sent as "Authorization: Bearer <key>"; may be unset
//                         for local servers (then no Authorization header)
//   GOOSE_API_PROVIDER_TIMEOUT_SECS       total time for one call
//   GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS  longest silence inside a call
//                                         (capped by the total)
//
// The key is never logged: Describe() shows only whether one is set.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_CONFIG_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/base/env.h"
#include "core/base/status.h"
#include "core/model/reply_stream.h"

namespace goose {

// What OPENAI_HOST and OPENAI_BASE_PATH mean when unset (as in goose).
inline constexpr std::string_view kOpenAIDefaultHost = "https://api.openai.com";
inline constexpr std::string_view kOpenAIDefaultBasePath = "v1/chat/completions";
// The range of GOOSE_API_PROVIDER_TIMEOUT_SECS and _IDLE_TIMEOUT_SECS.
inline constexpr double kProviderTimeoutMinSecs = 0.1;
inline constexpr double kProviderTimeoutMaxSecs = 86400;

struct OpenAIConfig {
  // Base URL, split. `base_path` is the whole request path, starting with "/".
  std::string scheme = "https";
  std::string host = "api.openai.com";  // name or IP literal, without brackets
  int port = 443;
  std::string base_path = "/v1/chat/completions";

  std::string api_key;
  std::string model = "gpt-4o";

  // Connecting (TCP and TLS handshake) may take this long.
  std::chrono::milliseconds connect_timeout{10'000};
  // No byte for this long (waiting for the answer's head, or between body
  // bytes) fails the call with kTimeout.
  std::chrono::milliseconds idle_timeout{300'000};
  // The whole call, retries included, may take this long (kTimeout).
  std::chrono::milliseconds total_timeout{600'000};

  // 429 and 5xx answers are retried this many times before the first body
  // byte, waiting as Retry-After / retry-after-ms say (at most
  // max_retry_wait), else backing off from initial_backoff, doubling.
  int max_retries = 2;
  std::chrono::milliseconds max_retry_wait{20'000};
  std::chrono::milliseconds initial_backoff{500};

  // A stream buffers at most about this many bytes of decoded items that
  // the consumer has not taken; then it stops reading the socket
  // (backpressure reaches the server through TCP).
  size_t max_buffered_bytes = 1 << 20;
  // Error bodies and non-streamed answers larger than this are refused.
  size_t max_response_bytes = 4 << 20;
  // An answer's status line and headers together.
  size_t max_head_bytes = 64 * 1024;
  // What one answer may hold; the server sets these from its own settings.
  ReplyLimits limits;
  // After [DONE], how long Next() waits for the rest of the HTTP body (the
  // final chunk) before ending anyway, so a drained stream does not look
  // abandoned to the server.
  std::chrono::milliseconds end_of_body_grace{2'000};

  // "https://api.openai.com:443": the scheme, host and port.
  std::string Origin() const;
  // "https://api.openai.com:443/v1/chat/completions".
  std::string Url() const;
  // For logs: URL, model, timeouts, and "key set"/"no key"; never the key.
  std::string Describe() const;
  // idle_timeout as every reader applies it: taken as 4x its value under
  // the raise_provider_idle_timeout failpoint (its canary, docs/reliability.md).
  std::chrono::milliseconds IdleTimeout() const;
};

// Splits "scheme://host[:port][/path]" into `config`'s scheme, host, port
// and `*host_path` (the path, "" when none). InvalidArgument naming
// `variable` and the value when the URL is unusable: no http(s) scheme, no
// host, a bad port, user info, a query or a fragment.
Status ParseBaseUrl(std::string_view url, std::string_view variable, OpenAIConfig* config,
                    std::string* host_path);

// Reads the variables above. InvalidArgument with a message naming the
// variable for a provider other than "openai", a bad URL or a bad timeout.
Result<OpenAIConfig> OpenAIConfigFromEnv(const EnvLookup& env);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_CONFIG_H_
