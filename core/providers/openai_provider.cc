#include "core/providers/openai_provider.h"

#include <chrono>
#include <thread>

#include "core/base/json.h"
#include "core/providers/interruptible_connection.h"
#include "core/providers/openai_completion_parser.h"
#include "core/providers/openai_errors.h"
#include "core/providers/openai_http.h"
#include "core/providers/openai_request_writer.h"
#include "core/providers/openai_stream.h"

namespace goose {
namespace {

using std::chrono::steady_clock;

// Collects a non-streamed answer, refusing one that is too large or too late.
class BodyCollector final : public HttpResponseSink {
 public:
  BodyCollector(size_t max_bytes, steady_clock::time_point deadline)
      : max_bytes_(max_bytes), deadline_(deadline) {}

  bool OnHead(const HttpHead& /*head*/) override { return true; }
  bool OnBody(std::string_view bytes) override {
    if (steady_clock::now() > deadline_) {
      timed_out_ = true;
      return false;
    }
    if (body_.size() + bytes.size() > max_bytes_) {
      too_large_ = true;
      return false;
    }
    body_.append(bytes);
    return true;
  }

  const std::string& body() const { return body_; }
  bool timed_out() const { return timed_out_; }
  bool too_large() const { return too_large_; }

 private:
  const size_t max_bytes_;
  const steady_clock::time_point deadline_;
  std::string body_;
  bool timed_out_ = false;
  bool too_large_ = false;
};

}  // namespace

OpenAIProvider::OpenAIProvider(OpenAIConfig config) : config_(std::move(config)) {}

std::unique_ptr<ReplyStream> OpenAIProvider::Stream(const ProviderRequest& request) {
  ByteQueue body = ChatCompletionsBody(request, config_.model, /*stream=*/true);
  return std::make_unique<OpenAIStream>(config_, std::move(body));
}

Result<Completion, ProviderError> OpenAIProvider::Complete(const ProviderRequest& request) {
  const ByteQueue body = ChatCompletionsBody(request, config_.model, /*stream=*/false);
  const steady_clock::time_point deadline = steady_clock::now() + config_.total_timeout;
  InterruptibleConnection connection(ShutdownFor(config_));
  // A cancel breaks the socket (this attempt and every later one).
  ScopedCancelHook on_cancel(request.cancellation, [&connection] { connection.Interrupt(); });
  const auto cancelled = [&] {
    return request.cancellation != nullptr && request.cancellation->cancelled();
  };
  for (int retry = 0;; ++retry) {
    if (cancelled()) return ProviderError{ProviderErrorKind::kCancelled, "cancelled", 0, {}};
    BodyCollector collector(config_.max_response_bytes, deadline);
    const HttpAttempt attempt = PostOnce(config_, body, /*stream=*/false, &connection, &collector);
    const int status = attempt.head.status;
    ProviderError error;
    if (cancelled()) {
      error.kind = ProviderErrorKind::kCancelled;
      error.message = "cancelled";
    } else if (collector.timed_out()) {
      error.kind = ProviderErrorKind::kTimeout;
      error.message = "no complete answer from " + config_.Origin() + " within the total timeout";
    } else if (collector.too_large()) {
      error.kind = ProviderErrorKind::kBadResponse;
      error.message = config_.Origin() + " sent an answer larger than " +
                      std::to_string(config_.max_response_bytes) + " bytes";
    } else if (status == 0 || !attempt.completed) {
      error = TransportError(config_, attempt, steady_clock::now());
    } else if (status >= 200 && status <= 299) {
      return ParseChatCompletion(collector.body());
    } else {
      error = ErrorFromHttpResponse(status, collector.body(), attempt.head.retry_headers,
                                    config_.Origin(), std::chrono::system_clock::now());
    }
    if (!IsRetryable(error) || retry >= config_.max_retries) return error;
    const auto delay = RetryDelay(config_, retry, error);
    if (steady_clock::now() + delay >= deadline) return error;
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace goose
