// Errors as values.
//
// Every fallible operation in the core returns a `Status` or a `Result<T>`.
// The code says what kind of failure it is, so the server can translate it
// to an HTTP status in one place (see server/http_errors); the message says
// what failed and where, in words a user can act on.

#ifndef GOOSE_CORE_BASE_STATUS_H_
#define GOOSE_CORE_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace goose {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,        // the caller's input is wrong (HTTP 400)
  kUnauthenticated,        // missing or wrong key (401)
  kPermissionDenied,       // a policy refuses it, whoever asks (403)
  kNotFound,               // no such session or file (404)
  kAlreadyExists,          // (409)
  kResourceExhausted,      // capacity, size limits (413 / 503)
  kDataLoss,               // a file on disk is malformed (500)
  kIoError,                // the OS refused a read or write (500)
  kStorageFull,            // the disk is full: ENOSPC or EDQUOT (507)
  kUnavailable,            // a peer is down or rate limited (503)
  kDeadlineExceeded,       // a timeout (504)
  kCancelled,              // the consumer went away
  kContextLengthExceeded,  // the provider's context window is full
  kProviderFailed,         // the LLM provider failed to answer (500)
  kLimitExceeded,          // a provider or an extension sent more than a limit allows (502)
  kInternal,               // a bug or an unexpected peer answer (500)
};

// Name of a code, e.g. "NotFound". Never null.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: session file /x/y.jsonl does not exist".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or an error (a non-OK Status unless another error type is
// given, as the providers do with ProviderError).
template <typename T, typename E = Status>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(E error) : error_(std::move(error)) {   // NOLINT: implicit on purpose
    if constexpr (std::is_same_v<E, Status>) {
      assert(!error_.ok() && "a Result made from a Status must carry an error");
    }
  }

  bool ok() const { return value_.has_value(); }
  // REQUIRES: !ok() for a meaningful answer.
  const E& error() const { return error_; }
  const Status& status() const requires std::is_same_v<E, Status> { return error_; }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  E error_{};
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_STATUS_H_
