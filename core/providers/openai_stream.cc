#include "core/providers/openai_stream.h"

#include <variant>

#include "core/base/failpoint.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/model/reply_stream.h"
#include "core/providers/condition_wait.h"
#include "core/providers/openai_chunk_decoder.h"
#include "core/providers/openai_completion_parser.h"
#include "core/providers/openai_errors.h"
#include "core/providers/openai_http.h"
#include "core/providers/sse_parser.h"

namespace goose {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Error bodies are kept up to this size; the provider's message is at the start.
constexpr size_t kMaxErrorBodyBytes = 64 << 10;

// About what an item holds in memory, for kStreamBufferedBytes.
int64_t ApproxItemBytes(const StreamItem& item) {
  size_t bytes = sizeof(StreamItem) + item.message_id.size();
  for (const Content& content : item.delta.content) {
    bytes += sizeof(Content);
    if (const auto* text = std::get_if<TextContent>(&content)) {
      bytes += text->text.size();
    } else if (const auto* request = std::get_if<ToolRequestContent>(&content)) {
      bytes += request->id.size();
      if (request->tool_call.ok()) {
        bytes += request->tool_call.value->name.size() +
                 JsonDump(request->tool_call.value->arguments).size();
      } else {
        bytes += request->tool_call.error.size();
      }
    }
  }
  return static_cast<int64_t>(bytes);
}

ProviderError TimeoutError(const OpenAIConfig& config) {
  ProviderError error;
  error.kind = ProviderErrorKind::kTimeout;
  error.message = "no complete answer from " + config.Origin() + " within " +
                  FormatSeconds(config.total_timeout);
  return error;
}

ProviderError CancelledError() {
  ProviderError error;
  error.kind = ProviderErrorKind::kCancelled;
  error.message = "the stream was cancelled";
  return error;
}

ProviderError BadResponse(std::string message) {
  ProviderError error;
  error.kind = ProviderErrorKind::kBadResponse;
  error.message = std::move(message);
  return error;
}

// An SSE event named "error" (some servers send these instead of an error frame).
ProviderError ErrorFromErrorEvent(const std::string& data) {
  Result<Json> json = JsonParse(data, "error event");
  if (json.ok() && json->is_object() && json->contains("error")) {
    return ErrorFromErrorObject((*json)["error"]);
  }
  return ErrorFromErrorObject(json.ok() ? *json : Json(data));
}

// The decoder's share of the reply limits (a tool call's bytes are a
// message's).
OpenAIChunkDecoder::Limits DecoderLimits(const ReplyLimits& limits) {
  return OpenAIChunkDecoder::Limits{limits.max_message_bytes, limits.max_tool_calls};
}

}  // namespace

// Receives one POST's answer on the producer thread and turns it into items.
class OpenAIStream::Attempt final : public HttpResponseSink {
 public:
  explicit Attempt(OpenAIStream* stream)
      : stream_(stream), decoder_(DecoderLimits(EffectiveLimits(stream->config_.limits))) {}

  bool OnHead(const HttpHead& head) override {
    if (head.status < 200 || head.status > 299) {
      mode_ = Mode::kErrorBody;
    } else if (head.content_type == "application/json") {
      mode_ = Mode::kJsonBody;  // the server ignored "stream":true
    } else if (head.content_type.empty() || head.content_type == "text/event-stream") {
      mode_ = Mode::kEventStream;
    } else {
      mode_ = Mode::kUnexpectedBody;  // e.g. an HTML page at a wrong URL
    }
    last_data_ = steady_clock::now();
    return !stream_->stopping();
  }

  bool OnBody(std::string_view bytes) override {
    if (stream_->stopping()) return false;
    if (steady_clock::now() > stream_->deadline_) {
      stream_->Fail(TimeoutError(stream_->config_));
      return false;
    }
    switch (mode_) {
      case Mode::kErrorBody:
      case Mode::kUnexpectedBody:
        if (body_.size() >= kMaxErrorBodyBytes) return true;  // read on, keep the start
        body_.append(bytes.substr(0, kMaxErrorBodyBytes - body_.size()));
        return stream_->Publish(&items_, static_cast<int64_t>(body_.size()));
      case Mode::kJsonBody:
        if (body_.size() + bytes.size() > stream_->config_.max_response_bytes) {
          error_ = BadResponse(stream_->config_.Origin() + " sent an answer larger than " +
                               std::to_string(stream_->config_.max_response_bytes) + " bytes");
          return false;
        }
        body_.append(bytes);
        return stream_->Publish(&items_, static_cast<int64_t>(body_.size()));
      case Mode::kEventStream:
        return OnEventStreamBytes(bytes);
    }
    return false;
  }

  // The outcome, once PostOnce() returned: nullopt for a complete reply.
  std::optional<ProviderError> Conclude(const HttpAttempt& attempt) {
    if (error_) return error_;
    if (done_) return std::nullopt;
    const int status = attempt.head.status;
    if (status == 0 || (!attempt.completed && status >= 200 && status <= 299)) {
      return TransportError(stream_->config_, attempt, steady_clock::now());
    }
    if (status < 200 || status > 299) {
      return ErrorFromHttpResponse(status, body_, attempt.head.retry_headers,
                                   stream_->config_.Origin(), std::chrono::system_clock::now());
    }
    if (mode_ == Mode::kJsonBody) return ConcludeJsonBody();
    if (mode_ == Mode::kUnexpectedBody) {
      return BadResponse(stream_->config_.Origin() + " answered HTTP " + std::to_string(status) +
                         " with Content-Type " + attempt.head.content_type +
                         ", not an event stream: " + ProviderMessageFromBody(body_));
    }
    ProviderError error;
    error.kind = ProviderErrorKind::kTransport;
    error.http_status = status;
    error.message = "the stream from " + stream_->config_.Origin() + " ended before [DONE]" +
                    (parser_.HasPartialEvent() ? ", in the middle of an event" : "") + " after " +
                    std::to_string(decoder_.chunks()) + " chunks";
    return error;
  }

 private:
  // What the answer's head says the body is.
  enum class Mode { kEventStream, kJsonBody, kErrorBody, kUnexpectedBody };

  bool OnEventStreamBytes(std::string_view bytes) {
    if (done_) return true;  // reading the rest of the body after [DONE]
    events_.clear();
    Status parsed = parser_.Feed(bytes, &events_);
    for (const SseEvent& event : events_) {
      if (event.event == "error") {
        error_ = ErrorFromErrorEvent(event.data);
      } else {
        error_ = decoder_.Decode(event.data, &items_);
      }
      if (error_) break;
      if (decoder_.done()) {
        done_ = true;
        break;
      }
    }
    if (!error_ && !parsed.ok()) {
      error_ = BadResponse(parsed.message());
      if (parsed.code() == StatusCode::kResourceExhausted) {
        error_->kind = ProviderErrorKind::kLimitExceeded;  // a line or event over its bound
      }
    }
    // Silence is the idle timeout's to judge (cpp-httplib's read timeout);
    // but keep-alive comments (": ping") are bytes without data, and must
    // not keep a stalled stream alive forever (goose's own #11679).
    if (!events_.empty()) {
      last_data_ = steady_clock::now();
    } else if (!error_ && !FailpointOn(Failpoint::kLiftDataWatchdog) &&
               steady_clock::now() - last_data_ > stream_->config_.IdleTimeout()) {
      ProviderError stalled;
      stalled.kind = ProviderErrorKind::kTimeout;
      stalled.message = stream_->config_.Origin() + " sent no data for " +
                        FormatSeconds(stream_->config_.IdleTimeout()) +
                        ", only keep-alive comments";
      error_ = std::move(stalled);
    }
    // Items decoded before a failure are still delivered.
    const bool open = (items_.empty() && PendingBytes() == published_pending_bytes_) || Publish();
    if (done_) stream_->FinishReply();
    return open && !error_;
  }

  // Bytes held by the parser (a partial event) and the decoder (tool-call
  // fragments).
  int64_t PendingBytes() const {
    return static_cast<int64_t>(parser_.buffered_bytes() + decoder_.buffered_bytes());
  }

  bool Publish() {
    published_pending_bytes_ = PendingBytes();
    return stream_->Publish(&items_, published_pending_bytes_);
  }

  std::optional<ProviderError> ConcludeJsonBody() {
    Result<Completion, ProviderError> completion = ParseChatCompletion(body_);
    if (!completion.ok()) return completion.error();
    for (Content& content : completion->message.content) {
      StreamItem item;
      item.message_id = "completion";
      item.delta.role = Role::kAssistant;
      item.delta.created = completion->message.created;
      item.delta.content.push_back(std::move(content));
      items_.push_back(std::move(item));
    }
    if (completion->usage) {
      StreamItem item;
      item.message_id = "completion";
      item.delta.role = Role::kAssistant;
      item.usage = completion->usage;
      items_.push_back(std::move(item));
    }
    body_.clear();
    if (!stream_->Publish(&items_, 0)) return std::nullopt;  // stopped; the stop says why
    done_ = true;
    stream_->FinishReply();
    return std::nullopt;
  }

  OpenAIStream* const stream_;
  Mode mode_ = Mode::kEventStream;
  steady_clock::time_point last_data_ = steady_clock::now();  // the last event with data
  SseParser parser_;
  OpenAIChunkDecoder decoder_;
  std::vector<SseEvent> events_;
  std::vector<StreamItem> items_;
  std::string body_;  // an error or unexpected body (its start), or a whole JSON answer
  int64_t published_pending_bytes_ = 0;
  std::optional<ProviderError> error_;
  bool done_ = false;
};

OpenAIStream::OpenAIStream(OpenAIConfig config, ByteQueue request_body)
    : config_(std::move(config)),
      request_body_(std::move(request_body)),
      deadline_(steady_clock::now() + config_.total_timeout),
      connection_(ShutdownFor(config_)) {
  producer_ = std::jthread([this] { Produce(); });
}

OpenAIStream::~OpenAIStream() {
  Cancel();
  if (producer_.joinable()) producer_.join();
}

void OpenAIStream::Produce() {
  for (int retry = 0;; ++retry) {
    if (stopping()) break;
    std::optional<ProviderError> error;
    {
      Attempt attempt(this);
      HttpAttempt result =
          PostOnce(config_, request_body_, /*stream=*/true, &connection_, &attempt);
      error = attempt.Conclude(result);
    }
    if (!error) break;
    if (IsRetryable(*error) && retry < config_.max_retries &&
        WaitBeforeRetry(RetryDelay(config_, retry, *error))) {
      continue;
    }
    Fail(std::move(*error));
    break;
  }
  MutexLock lock(mu_);
  producer_finished_ = true;
  pending_bytes_ = 0;
  UpdateLedgerLocked();
  consumer_cv_.notify_all();
}

bool OpenAIStream::Publish(std::vector<StreamItem>* items, int64_t pending_bytes) {
  MutexLock lock(mu_);
  if (cancelled_ || failure_) {
    items->clear();
    return false;
  }
  for (StreamItem& item : *items) {
    const int64_t bytes = ApproxItemBytes(item);
    queued_bytes_ += bytes;
    queue_.emplace_back(std::move(item), bytes);
  }
  const bool added = !items->empty();
  items->clear();
  pending_bytes_ = pending_bytes;
  UpdateLedgerLocked();
  if (added && consumer_waiting_) consumer_cv_.notify_one();
  while (queued_bytes_ > static_cast<int64_t>(config_.max_buffered_bytes) && !cancelled_ &&
         !failure_) {
    producer_waiting_ = true;
    const bool woken = WaitUntil(producer_cv_, mu_, deadline_);
    producer_waiting_ = false;
    if (!woken && steady_clock::now() >= deadline_) SetFailureLocked(TimeoutError(config_));
  }
  return !cancelled_ && !failure_;
}

void OpenAIStream::FinishReply() {
  MutexLock lock(mu_);
  reply_complete_ = true;
  consumer_cv_.notify_all();
}

void OpenAIStream::Fail(ProviderError error) {
  MutexLock lock(mu_);
  SetFailureLocked(std::move(error));
}

bool OpenAIStream::WaitBeforeRetry(milliseconds delay) {
  const auto until = steady_clock::now() + delay;
  if (until >= deadline_) return false;  // the answer would come too late anyway
  MutexLock lock(mu_);
  while (!cancelled_ && !failure_ && steady_clock::now() < until) {
    WaitUntil(producer_cv_, mu_, until);
  }
  return !cancelled_ && !failure_;
}

void OpenAIStream::SetFailureLocked(ProviderError error) {
  if (!failure_ && !reply_complete_) failure_ = std::move(error);
  stopping_.store(true, std::memory_order_relaxed);
  consumer_cv_.notify_all();
  producer_cv_.notify_all();
}

void OpenAIStream::UpdateLedgerLocked() { buffered_bytes_.Set(queued_bytes_ + pending_bytes_); }

void OpenAIStream::Cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  stopping_.store(true, std::memory_order_relaxed);
  queue_.clear();
  queued_bytes_ = 0;
  UpdateLedgerLocked();
  connection_.Interrupt();
  consumer_cv_.notify_all();
  producer_cv_.notify_all();
}

bool OpenAIStream::End(std::optional<ProviderError> error) {
  ended_ = true;
  error_ = std::move(error);
  return false;
}

bool OpenAIStream::Next(StreamItem* item) {
  if (ended_) return false;
  MutexLock lock(mu_);
  for (;;) {
    if (cancelled_) return End(CancelledError());
    if (!queue_.empty()) {
      *item = std::move(queue_.front().first);
      queued_bytes_ -= queue_.front().second;
      queue_.pop_front();
      UpdateLedgerLocked();
      if (producer_waiting_ && queued_bytes_ <= static_cast<int64_t>(config_.max_buffered_bytes)) {
        producer_cv_.notify_one();
      }
      return true;
    }
    if (failure_) return End(failure_);
    auto wait_until = deadline_;
    if (reply_complete_) {
      if (producer_finished_) return End(std::nullopt);
      if (!grace_deadline_) grace_deadline_ = steady_clock::now() + config_.end_of_body_grace;
      if (steady_clock::now() >= *grace_deadline_) return End(std::nullopt);
      wait_until = *grace_deadline_;
    } else if (producer_finished_) {
      return End(BadResponse("the stream ended without an answer or an error"));
    } else if (steady_clock::now() >= deadline_) {
      SetFailureLocked(TimeoutError(config_));
      connection_.Interrupt();
      continue;
    }
    consumer_waiting_ = true;
    WaitUntil(consumer_cv_, mu_, wait_until);
    consumer_waiting_ = false;
  }
}

}  // namespace goose
