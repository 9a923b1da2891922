// OpenAIChunkDecoder: `chat.completion.chunk` frames -> StreamItems.
//
// Fed the data of each SSE event of a streamed chat completion, in order:
//
//   {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hel"}}]}
//   {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[
//       {"index":0,"id":"call_1","function":{"name":"dev__sh","arguments":""}}]}}]}
//   {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[
//       {"index":0,"function":{"arguments":"{\"cmd\":"}}]}}]}
//   ...
//   {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}
//   {"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5,...}}
//   [DONE]
//
// it produces:
//   - a text item per non-empty `delta.content`, as it arrives;
//   - one item per tool call, once the message is finished (a
//     `finish_reason`, a change of chunk id, or [DONE]): fragments are
//     accumulated by `index` (id and name first, arguments in pieces,
//     several calls interleaved), and each whole call becomes a goose
//     toolRequest (bad arguments become an error toolCall, see
//     openai_tool_call.h);
//   - an item carrying TokenUsage for a `usage` object.
// Items of one message share `message_id`, the chunk `id`; a new id starts a
// new message (mock-llm sends a multi-message turn that way; OpenAI itself
// keeps one id per completion).
//
// An {"error":{...}} frame is returned as a ProviderError
// (kContextLengthExceeded or kServerError); a frame that is not JSON or has
// the wrong shape as kBadResponse. Only choice index 0 is read.
//
// Not thread-safe: one decoder per stream.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_CHUNK_DECODER_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_CHUNK_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/model/provider_error.h"
#include "core/model/reply_stream.h"
#include "core/model/session.h"

namespace goose {

// OpenAI's usage object ({"prompt_tokens","completion_tokens",
// "total_tokens"}) as TokenUsage; nullopt when `usage` is not an object.
std::optional<TokenUsage> TokenUsageFromOpenAI(const Json& usage);

class OpenAIChunkDecoder {
 public:
  struct Limits {
    // The accumulated arguments of the calls of one message may not exceed
    // this; a larger call is a broken stream, not a tool call.
    size_t max_tool_call_bytes = ReplyLimits{}.max_message_bytes;
    // Tool calls (distinct indexes) in one message.
    size_t max_tool_calls = ReplyLimits{}.max_tool_calls;
  };

  OpenAIChunkDecoder() : OpenAIChunkDecoder(Limits{}) {}
  explicit OpenAIChunkDecoder(Limits limits) : limits_(limits) {}

  // Decodes one SSE data payload and appends the items it completes to
  // *items. "[DONE]" finishes the reply (done() becomes true); later
  // payloads are ignored. Returns the error for an error frame or a
  // malformed one; after an error the decoder should not be fed again.
  std::optional<ProviderError> Decode(std::string_view data, std::vector<StreamItem>* items);

  // True once "[DONE]" was decoded.
  bool done() const { return done_; }

  // Tool calls whose message has not finished yet.
  bool HasPendingToolCalls() const { return !pending_.empty() || !finished_.empty(); }

  // Bytes held for tool calls whose message has not finished (ids, names,
  // argument fragments), for the resource ledger.
  size_t buffered_bytes() const { return tool_call_bytes_; }

  // Payloads decoded so far (counted in error messages).
  size_t chunks() const { return chunks_; }

 private:
  struct PendingToolCall {
    std::string id;
    std::string name;
    std::string arguments;
  };

  std::optional<ProviderError> DecodeChoice(const Json& choice, std::vector<StreamItem>* items);
  std::optional<ProviderError> AddToolCallFragment(const Json& fragment, size_t position);
  // Emits every pending call of the current message, in order.
  void FlushToolCalls(std::vector<StreamItem>* items);
  StreamItem MakeItem() const;
  ProviderError Malformed(const std::string& what) const;

  Limits limits_;
  std::string message_id_;
  int64_t message_created_ = 0;
  bool has_message_ = false;
  std::map<int64_t, PendingToolCall> pending_;  // by index
  std::vector<PendingToolCall> finished_;       // replaced at their index by a new id
  size_t tool_call_bytes_ = 0;
  size_t chunks_ = 0;
  bool done_ = false;
};

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_CHUNK_DECODER_H_
