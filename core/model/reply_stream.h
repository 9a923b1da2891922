// ReplyStream: a provider's answer, pulled one item at a time.
//
// goose-api leaked because its handlers read the first item of a reply
// stream and dropped the stream without draining or cancelling it. Here a
// stream is pull-based and owns its producer outright:
//
//   std::unique_ptr<ReplyStream> s = provider.Stream(request);
//   StreamItem item;
//   while (s->Next(&item)) assembler.Add(item);
//   if (s->error()) ... // typed ProviderError; nullopt means a clean end
//
// Destroying a stream at any point (before the first item, mid-message,
// during a stall) cancels its producer and frees every buffer, thread and
// connection before the destructor returns. Nothing outlives it.
//
// Every live stream counts itself in Gauge::kLiveStreams and its buffered
// bytes in Gauge::kStreamBufferedBytes (through `buffered_bytes_`).
//
// Thread safety: Next() and error() are called by one consumer thread.
// Cancel() may be called from any thread at any time, also while Next()
// blocks; it makes Next() return false with a kCancelled error promptly.

#ifndef GOOSE_CORE_MODEL_REPLY_STREAM_H_
#define GOOSE_CORE_MODEL_REPLY_STREAM_H_

#include <optional>
#include <string>
#include <vector>

#include "core/base/resource_ledger.h"
#include "core/model/message.h"
#include "core/model/provider_error.h"
#include "core/model/session.h"

namespace goose {

// One piece of a reply. Items with the same `message_id` are parts of one
// assistant message: text deltas to be appended in order, and tool requests
// (each complete: a provider assembles argument fragments before emitting).
struct StreamItem {
  std::string message_id;
  Message delta;                    // role assistant
  std::optional<TokenUsage> usage;  // usually on the last item only
};

class ReplyStream {
 public:
  ReplyStream() = default;
  ReplyStream(const ReplyStream&) = delete;
  ReplyStream& operator=(const ReplyStream&) = delete;
  // Subclasses cancel and join their producer in their own destructor.
  virtual ~ReplyStream() = default;

  // Blocks until the next item and stores it in *item (returns true), or
  // until the end or an error (returns false; see error()). After false,
  // every later call returns false.
  virtual bool Next(StreamItem* item) = 0;

  // Why the stream ended: nullopt after a complete reply.
  virtual const std::optional<ProviderError>& error() const = 0;

  // Thread-safe; see the file comment. Idempotent.
  virtual void Cancel() = 0;

 protected:
  LedgerBytes buffered_bytes_{Gauge::kStreamBufferedBytes};

 private:
  LedgerEntry live_{Gauge::kLiveStreams};
};

// Folds stream items into whole messages: consecutive items with one
// message_id make one message; text deltas are appended to the message's
// last text item (or start one), other content is appended as it comes.
class MessageAssembler {
 public:
  void Add(const StreamItem& item);
  // The messages so far, in order; usage is the sum over items that had it.
  const std::vector<Message>& messages() const { return messages_; }
  const std::optional<TokenUsage>& usage() const { return usage_; }
  std::vector<Message> TakeMessages();
  size_t items() const { return items_; }

 private:
  std::vector<Message> messages_;
  std::string current_id_;
  std::optional<TokenUsage> usage_;
  size_t items_ = 0;
};

// What one reply may hold (GOOSE_API_MAX_MESSAGE_BYTES, _REPLY_BYTES,
// _TOOL_CALLS). A provider or an extension that sends more fails the reply
// with kLimitExceeded, naming the limit, before it can grow the process.
struct ReplyLimits {
  size_t max_message_bytes = 2 << 20;  // one message: its text, tool calls or one tool result
  size_t max_reply_bytes = 4 << 20;    // every new message of one reply, over all its turns
  size_t max_tool_calls = 64;          // tool calls in one provider turn
};

// `limits` as every reader applies them: GOOSE_API_MAX_MESSAGE_BYTES taken
// as 4x its value under the raise_message_bytes failpoint, and
// GOOSE_API_MAX_TOOL_CALLS under raise_tool_calls (the canaries that prove
// a gate fails on a raised limit, not only on a removed one).
ReplyLimits EffectiveLimits(ReplyLimits limits);

// What a piece of content weighs against the limits: the bytes of its text,
// or of its JSON.
size_t ContentBytes(const Content& content);

// Drains `stream` to its end: every message, and the error if it failed.
// Past a limit of `limits` it cancels the stream and fails with
// kLimitExceeded; `bytes` are the bytes of the messages drained.
struct DrainResult {
  std::vector<Message> messages;
  std::optional<TokenUsage> usage;
  std::optional<ProviderError> error;
  size_t items = 0;
  size_t bytes = 0;
};
DrainResult Drain(ReplyStream& stream, const ReplyLimits& limits = {});

// The kLimitExceeded error for `what` ("a message", "a reply") over `limit`.
ProviderError LimitError(const std::string& what, size_t limit, const char* setting);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_REPLY_STREAM_H_
