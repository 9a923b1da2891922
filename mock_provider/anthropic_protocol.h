// Anthropic Messages, as mock-llm writes it.
//
// Streaming: "event:"/"data:" frames — message_start, ping, then for each
// scripted message its content blocks (content_block_start, _delta with
// text_delta or input_json_delta pieces, content_block_stop: one text block
// for the message's text, one tool_use block per tool call), then
// message_delta (stop_reason "end_turn" or "tool_use", usage) and
// message_stop. A scripted error frame is an "error" event. Every scripted
// message of a turn becomes blocks of the one Messages stream.
//
// Non-streaming: one message object holding the same blocks.
//
// Errors: {"type":"error","error":{"type","message"}} with Anthropic's
// types (invalid_request_error, rate_limit_error, api_error, ...).

#ifndef GOOSE_MOCK_PROVIDER_ANTHROPIC_PROTOCOL_H_
#define GOOSE_MOCK_PROVIDER_ANTHROPIC_PROTOCOL_H_

#include "mock_provider/wire_protocol.h"

namespace goose::mock {

class AnthropicProtocol final : public WireProtocol {
 public:
  std::string_view name() const override { return "anthropic"; }
  Result<WireRequest> Parse(const Json& body) const override;
  HttpAnswer Error(WireError error, int status, const std::string& message) const override;
  std::unique_ptr<FrameEncoder> NewEncoder(const WireRequest& request, uint64_t request_seq,
                                           const TokenUsage& usage) const override;
  Json ReplyBody(const WireRequest& request, uint64_t request_seq, const CollectedReply& reply,
                 const TokenUsage& usage) const override;
  std::string CorruptBody() const override;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_ANTHROPIC_PROTOCOL_H_
