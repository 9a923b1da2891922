#include "mock_provider/mock_provider.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

#include "core/base/strings.h"
#include "core/base/thread_annotations.h"
#include "mock_provider/turn_cursor.h"

namespace goose::mock {
namespace {

using Clock = std::chrono::steady_clock;

// What the turn selection and the seed need from a goose conversation.
struct ConversationFacts {
  size_t assistant_turns = 0;
  std::string first_user_text;
  size_t text_bytes = 0;
};

ConversationFacts FactsOf(const ProviderRequest& request) {
  ConversationFacts facts;
  bool in_assistant_run = false;
  bool seen_user = false;
  facts.text_bytes = request.system.size();
  for (const Message& m : request.conversation) {
    if (m.role == Role::kAssistant) {
      if (!in_assistant_run) ++facts.assistant_turns;
      in_assistant_run = true;
    } else {
      in_assistant_run = false;
      if (!seen_user) facts.first_user_text = m.Text();
      seen_user = true;
    }
    for (const Content& c : m.content) {
      if (const auto* t = std::get_if<TextContent>(&c)) facts.text_bytes += t->text.size();
      if (const auto* r = std::get_if<ToolResponseContent>(&c)) {
        if (r->tool_result.ok()) facts.text_bytes += McpContentText(*r->tool_result.value).size();
      }
    }
  }
  return facts;
}

ProviderError ErrorFor(const ScriptedFailure& f) {
  ProviderError e;
  e.message = FailureMessage(f);
  switch (f.kind) {
    case FailureKind::kHttp429:
      e.kind = ProviderErrorKind::kRateLimited;
      e.http_status = 429;
      e.retry_after = std::chrono::seconds(f.retry_after_s);
      break;
    case FailureKind::kHttp500:
      e.kind = ProviderErrorKind::kServerError;
      e.http_status = static_cast<int>(f.status);
      break;
    case FailureKind::kContextLengthExceeded:
      e.kind = ProviderErrorKind::kContextLengthExceeded;
      e.http_status = 400;
      break;
    case FailureKind::kErrorFrame:
      e.kind = f.code == "context_length_exceeded" ? ProviderErrorKind::kContextLengthExceeded
                                                   : ProviderErrorKind::kServerError;
      break;
    case FailureKind::kAbruptClose:
    case FailureKind::kNoDone:
      e.kind = ProviderErrorKind::kTransport;
      break;
    case FailureKind::kCorruptFrame:
      e.kind = ProviderErrorKind::kBadResponse;
      break;
    case FailureKind::kDuplicateFrame:
    case FailureKind::kStall:
    case FailureKind::kNone:
      e.kind = ProviderErrorKind::kServerError;
      break;
  }
  return e;
}

// The in-process stream: pulls events from a TurnCursor and turns each
// chunk into a StreamItem, waiting out scripted delays on a condition
// variable that Cancel() signals.
class MockReplyStream final : public ReplyStream {
 public:
  // `turn` null means the script is exhausted (`exhausted` says why).
  MockReplyStream(std::shared_ptr<const Script> script, const ScriptedTurn* turn,
                  std::string exhausted, uint64_t turn_seed, size_t turn_index,
                  size_t request_text_bytes, MockStatsRecorder* stats)
      : script_(std::move(script)),
        turn_(turn),
        exhausted_(std::move(exhausted)),
        stats_(stats),
        start_(Clock::now()),
        created_(NowUnixSeconds()),
        turn_prefix_("mock-" + std::to_string(turn_index) + "-") {
    if (turn_ != nullptr) {
      cursor_.emplace(*turn_, turn_seed);
      usage_ = ResolveUsage(*turn_, request_text_bytes);
      if (turn_->failure.kind == FailureKind::kAbruptClose && turn_->failure.after_ms) {
        abrupt_deadline_ = start_ + std::chrono::milliseconds(*turn_->failure.after_ms);
      }
    }
    epoch_ = stats_->StreamStarted(cursor_ ? cursor_->planned_chunks() : 0);
  }

  ~MockReplyStream() override { Settle(StreamOutcome::kCancelled); }

  bool Next(StreamItem* item) override;
  const std::optional<ProviderError>& error() const override { return error_; }

  void Cancel() override {
    cancel_requested_.store(true, std::memory_order_release);
    { MutexLock lock(mu_); }  // a waiter between its check and its wait holds mu_
    wake_.notify_all();
    Settle(StreamOutcome::kCancelled);
  }

 private:
  bool cancel_requested() const { return cancel_requested_.load(std::memory_order_acquire); }

  // Waits until `deadline` (Clock::time_point::max(): forever). False when
  // cancelled first.
  bool WaitUntil(Clock::time_point deadline) {
    MutexLock lock(mu_);
    std::unique_lock<std::mutex> native(mu_.native(), std::adopt_lock);
    while (!cancel_requested()) {
      if (deadline == Clock::time_point::max()) {
        wake_.wait(native);
      } else if (wake_.wait_until(native, deadline) == std::cv_status::timeout) {
        break;
      }
    }
    native.release();  // `lock` still owns mu_
    return !cancel_requested();
  }

  // Waits `delay` before a chunk. False when the stream ended meanwhile
  // (cancelled, or its abrupt_close time came first); error_ is then set.
  bool WaitBeforeChunk(std::chrono::milliseconds delay) {
    if (delay.count() == 0 && !abrupt_deadline_) return !cancel_requested() || EndCancelled();
    const Clock::time_point due = Clock::now() + delay;
    if (abrupt_deadline_ && *abrupt_deadline_ <= due) {
      if (!WaitUntil(*abrupt_deadline_)) return EndCancelled();
      return EndFailed(ErrorFor(turn_->failure));
    }
    if (!WaitUntil(due)) return EndCancelled();
    return true;
  }

  void Settle(StreamOutcome outcome) {
    if (!settled_.exchange(true, std::memory_order_acq_rel)) stats_->StreamEnded(epoch_, outcome);
  }

  // Each returns false, for `return EndX(...)` in Next().
  bool EndCancelled() {
    done_ = true;
    error_ =
        ProviderError{ProviderErrorKind::kCancelled, "stream cancelled by the consumer", 0, {}};
    Settle(StreamOutcome::kCancelled);
    return false;
  }
  bool EndFailed(ProviderError error) {
    done_ = true;
    error_ = std::move(error);
    Settle(StreamOutcome::kFailed);
    return false;
  }
  bool EndCompleted() {
    done_ = true;
    Settle(StreamOutcome::kCompleted);
    return false;
  }

  void FillText(const TurnEvent& ev, StreamItem* item);
  void FillToolRequest(const TurnEvent& ev, StreamItem* item);
  void StartItem(const TurnEvent& ev, StreamItem* item);

  const std::shared_ptr<const Script> script_;  // keeps turn_ alive
  const ScriptedTurn* const turn_;
  const std::string exhausted_;
  MockStatsRecorder* const stats_;
  const Clock::time_point start_;
  const int64_t created_;
  const std::string turn_prefix_;
  uint64_t epoch_ = 0;
  std::optional<TurnCursor> cursor_;
  TokenUsage usage_;
  std::optional<Clock::time_point> abrupt_deadline_;

  // Consumer thread only.
  bool done_ = false;
  bool begun_ = false;
  std::optional<ProviderError> error_;
  std::string message_id_;
  std::string arguments_;  // the tool call being assembled from fragments
  int64_t unreported_chunks_ = 0;

  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> settled_{false};
  Mutex mu_;  // pairs with wake_
  std::condition_variable wake_;
};

void MockReplyStream::StartItem(const TurnEvent& ev, StreamItem* item) {
  if (ev.first_in_message) {
    message_id_.assign(turn_prefix_);
    message_id_.append(std::to_string(ev.message_index));
  }
  item->message_id.assign(message_id_);
  item->usage.reset();
  Message& delta = item->delta;
  delta.role = Role::kAssistant;
  delta.created = created_;
  if (!delta.extra.is_object() || !delta.extra.empty()) delta.extra = Json::object();
}

void MockReplyStream::FillText(const TurnEvent& ev, StreamItem* item) {
  StartItem(ev, item);
  std::vector<Content>& content = item->delta.content;
  // Reuse the caller's text item when it has one: no allocation per chunk.
  if (content.size() != 1 || !std::holds_alternative<TextContent>(content[0])) {
    content.clear();
    content.emplace_back(TextContent{});
  }
  TextContent& text = std::get<TextContent>(content[0]);
  text.text.assign(ev.text);
  if (!text.extra.is_object() || !text.extra.empty()) text.extra = Json::object();
}

void MockReplyStream::FillToolRequest(const TurnEvent& ev, StreamItem* item) {
  StartItem(ev, item);
  ToolRequestContent request;
  request.id = std::string(ev.tool_id);
  Result<Json> arguments = JsonParse(arguments_, "arguments of tool call " + request.id);
  if (arguments.ok() && arguments->is_object()) {
    request.tool_call =
        ToolResult<ToolCall>::Success(ToolCall{ev.tool->name, std::move(*arguments)});
  } else {
    request.tool_call = ToolResult<ToolCall>::Failure(
        "could not parse the arguments of tool " + ev.tool->name + ": " +
        (arguments.ok() ? std::string("not a JSON object") : arguments.status().message()));
  }
  item->delta.content.clear();
  item->delta.content.emplace_back(std::move(request));
}

bool MockReplyStream::Next(StreamItem* item) {
  if (done_) return false;
  if (cancel_requested()) return EndCancelled();
  if (!begun_) {
    begun_ = true;
    if (turn_ == nullptr) {
      return EndFailed(ProviderError{ProviderErrorKind::kScriptExhausted, exhausted_, 0, {}});
    }
    if (IsPreStreamFailure(turn_->failure.kind)) {
      if (!WaitBeforeChunk(std::chrono::milliseconds(turn_->time_to_first_chunk_ms))) return false;
      return EndFailed(ErrorFor(turn_->failure));
    }
  }
  for (;;) {
    const TurnEvent& ev = cursor_->Next();
    switch (ev.kind) {
      case TurnEvent::Kind::kChunk: {
        if (!WaitBeforeChunk(ev.delay)) return false;
        ++unreported_chunks_;
        if (ev.is_tool_fragment) {
          if (ev.first_fragment && !ev.duplicated) arguments_.clear();
          arguments_.append(ev.text);
          if (!ev.last_fragment) continue;  // a tool call is emitted whole
          FillToolRequest(ev, item);
        } else {
          FillText(ev, item);
        }
        if (ev.last_chunk) item->usage = usage_;
        stats_->ChunksConsumed(epoch_, std::exchange(unreported_chunks_, 0));
        const int64_t held = static_cast<int64_t>(cursor_->buffered_bytes() + arguments_.size());
        if (held != buffered_bytes_.bytes()) buffered_bytes_.Set(held);
        return true;
      }
      case TurnEvent::Kind::kMessageEnd:
        continue;
      case TurnEvent::Kind::kFailure:
        if (turn_->failure.kind == FailureKind::kStall) {
          WaitUntil(Clock::time_point::max());
          return EndCancelled();
        }
        return EndFailed(ErrorFor(turn_->failure));
      case TurnEvent::Kind::kEnd:
        if (abrupt_deadline_) {
          if (!WaitUntil(*abrupt_deadline_)) return EndCancelled();
          return EndFailed(ErrorFor(turn_->failure));
        }
        if (turn_->failure.kind == FailureKind::kNoDone) return EndFailed(ErrorFor(turn_->failure));
        return EndCompleted();
    }
  }
}

}  // namespace

MockProvider::MockProvider(Script script, MockProviderOptions options)
    : script_(std::make_shared<const Script>(std::move(script))),
      seed_(script_->seed.value_or(options.seed)),
      model_(options.model.empty() ? script_->name : std::move(options.model)) {}

std::unique_ptr<ReplyStream> MockProvider::Stream(const ProviderRequest& request) {
  stats_.RequestSeen();
  const ConversationFacts facts = FactsOf(request);
  std::string exhausted;
  const ScriptedTurn* turn = SelectTurn(*script_, facts.assistant_turns, &exhausted);
  return std::make_unique<MockReplyStream>(
      script_, turn, std::move(exhausted),
      TurnSeed(seed_, facts.first_user_text, facts.assistant_turns), facts.assistant_turns,
      facts.text_bytes, &stats_);
}

Result<Completion, ProviderError> MockProvider::Complete(const ProviderRequest& request) {
  std::unique_ptr<ReplyStream> stream = Stream(request);
  DrainResult drained = Drain(*stream);
  if (drained.error) return *drained.error;
  Completion out;
  out.message.role = Role::kAssistant;
  out.message.created = NowUnixSeconds();
  std::string text;
  std::vector<Content> requests;
  for (const Message& m : drained.messages) {
    const std::string t = m.Text();
    if (!t.empty()) AppendJoined(&text, "\n", t);
    for (const Content& c : m.content) {
      if (std::holds_alternative<ToolRequestContent>(c)) requests.push_back(c);
    }
  }
  if (!text.empty()) out.message.content.emplace_back(TextContent{std::move(text)});
  for (Content& c : requests) out.message.content.push_back(std::move(c));
  out.usage = drained.usage;
  return out;
}

}  // namespace goose::mock
