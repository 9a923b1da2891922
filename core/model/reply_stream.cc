#include "core/model/reply_stream.h"

#include "core/base/failpoint.h"
#include "core/base/saturating.h"

namespace goose {
namespace {
void AddOptional(std::optional<int64_t>* sum, const std::optional<int64_t>& v) {
  if (v) *sum = SaturatingAdd(sum->value_or(0), *v);
}
}  // namespace

void MessageAssembler::Add(const StreamItem& item) {
  ++items_;
  if (item.usage) {
    if (!usage_) usage_ = TokenUsage{};
    AddOptional(&usage_->input_tokens, item.usage->input_tokens);
    AddOptional(&usage_->output_tokens, item.usage->output_tokens);
    AddOptional(&usage_->total_tokens, item.usage->total_tokens);
  }
  if (item.delta.content.empty()) return;  // e.g. a usage-only item
  if (messages_.empty() || item.message_id != current_id_) {
    Message m;
    m.role = item.delta.role;
    m.created = item.delta.created != 0 ? item.delta.created : NowUnixSeconds();
    messages_.push_back(std::move(m));
    current_id_ = item.message_id;
  }
  Message& m = messages_.back();
  for (const Content& c : item.delta.content) {
    const auto* text = std::get_if<TextContent>(&c);
    TextContent* last = m.content.empty() ? nullptr : std::get_if<TextContent>(&m.content.back());
    if (text != nullptr && last != nullptr) {
      last->text += text->text;
    } else {
      m.content.push_back(c);
    }
  }
}

std::vector<Message> MessageAssembler::TakeMessages() {
  current_id_.clear();
  return std::exchange(messages_, {});
}

size_t ContentBytes(const Content& content) {
  if (const auto* text = std::get_if<TextContent>(&content)) return text->text.size();
  return JsonDump(ContentToJson(content)).size();
}

ProviderError LimitError(const std::string& what, size_t limit, const char* setting) {
  ProviderError error;
  error.kind = ProviderErrorKind::kLimitExceeded;
  error.message = what + " is larger than " + setting + " (" + std::to_string(limit) + ")";
  return error;
}

ReplyLimits EffectiveLimits(ReplyLimits limits) {
  limits.max_message_bytes = RaisedLimit(Failpoint::kRaiseMessageBytes, limits.max_message_bytes);
  limits.max_tool_calls = RaisedLimit(Failpoint::kRaiseToolCalls, limits.max_tool_calls);
  return limits;
}

DrainResult Drain(ReplyStream& stream, const ReplyLimits& given) {
  const ReplyLimits limits = EffectiveLimits(given);
  const bool bounded = !FailpointOn(Failpoint::kLiftReplyLimits);
  MessageAssembler assembler;
  StreamItem item;
  DrainResult out;
  size_t message_bytes = 0;
  size_t tool_calls = 0;
  std::optional<ProviderError> over;
  while (stream.Next(&item)) {
    const size_t messages_before = assembler.messages().size();
    size_t bytes = 0;
    for (const Content& c : item.delta.content) {
      bytes += ContentBytes(c);
      if (std::holds_alternative<ToolRequestContent>(c)) ++tool_calls;
    }
    assembler.Add(item);
    if (assembler.messages().size() != messages_before) message_bytes = 0;  // a new message
    message_bytes += bytes;
    out.bytes += bytes;
    if (!bounded) continue;
    if (message_bytes > limits.max_message_bytes) {
      over = LimitError("a message from the provider", limits.max_message_bytes,
                        "GOOSE_API_MAX_MESSAGE_BYTES");
    } else if (out.bytes > limits.max_reply_bytes) {
      over =
          LimitError("the provider's answer", limits.max_reply_bytes, "GOOSE_API_MAX_REPLY_BYTES");
    } else if (tool_calls > limits.max_tool_calls) {
      over = LimitError("the provider's number of tool calls in one turn", limits.max_tool_calls,
                        "GOOSE_API_MAX_TOOL_CALLS");
    }
    if (over) {
      stream.Cancel();
      break;
    }
  }
  out.items = assembler.items();
  out.usage = assembler.usage();
  out.messages = assembler.TakeMessages();
  out.error = over ? over : stream.error();
  return out;
}

}  // namespace goose
