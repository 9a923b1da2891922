#include "core/model/reply_stream.h"

namespace goose {
namespace {
void AddOptional(std::optional<int64_t>* sum, const std::optional<int64_t>& v) {
  if (v) *sum = sum->value_or(0) + *v;
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

DrainResult Drain(ReplyStream& stream) {
  MessageAssembler assembler;
  StreamItem item;
  while (stream.Next(&item)) assembler.Add(item);
  DrainResult out;
  out.items = assembler.items();
  out.usage = assembler.usage();
  out.messages = assembler.TakeMessages();
  out.error = stream.error();
  return out;
}

}  // namespace goose
