// OpenAI chat completions, as mock-llm writes it.
//
// Streaming: SSE "data:" frames of chat.completion.chunk objects. Each
// scripted message is a run of chunks with its own id ("chatcmpl-<req>-<k>")
// — the core's OpenAIProvider starts a new message when the id changes —
// whose first chunk carries delta.role, then delta.content pieces and
// delta.tool_calls fragments ({index, id, type, function:{name, arguments}}
// first, then {index, function:{arguments}}), then a chunk with an empty
// delta and finish_reason "stop" or "tool_calls". With
// stream_options.include_usage a usage chunk (choices: []) follows the
// last message; then "data: [DONE]".
//
// Non-streaming: one chat.completion whose message joins the scripted
// messages' texts with "\n" and carries every tool call.
//
// Errors: {"error":{"message","type","param","code"}}, with code
// "context_length_exceeded", "rate_limit_exceeded", "script_exhausted", ...

#ifndef GOOSE_MOCK_PROVIDER_OPENAI_PROTOCOL_H_
#define GOOSE_MOCK_PROVIDER_OPENAI_PROTOCOL_H_

#include "mock_provider/wire_protocol.h"

namespace goose::mock {

class OpenAIProtocol final : public WireProtocol {
 public:
  std::string_view name() const override { return "openai"; }
  Result<WireRequest> Parse(const Json& body) const override;
  HttpAnswer Error(WireError error, int status, const std::string& message) const override;
  std::unique_ptr<FrameEncoder> NewEncoder(const WireRequest& request, uint64_t request_seq,
                                           const TokenUsage& usage) const override;
  Json ReplyBody(const WireRequest& request, uint64_t request_seq, const CollectedReply& reply,
                 const TokenUsage& usage) const override;
  std::string CorruptBody() const override;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_OPENAI_PROTOCOL_H_
