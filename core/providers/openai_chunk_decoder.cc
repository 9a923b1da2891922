#include "core/providers/openai_chunk_decoder.h"

#include <cctype>

#include "core/base/failpoint.h"
#include "core/base/saturating.h"
#include "core/base/strings.h"
#include "core/providers/openai_errors.h"
#include "core/providers/openai_tool_call.h"

namespace goose {
namespace {

// Quoted in "not valid JSON" messages.
constexpr size_t kQuotedFrameBytes = 120;

std::optional<int64_t> OptionalCount(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Looks `key` up in `object`; null counts as absent.
}  // namespace

std::optional<TokenUsage> TokenUsageFromOpenAI(const Json& usage) {
  if (!usage.is_object()) return std::nullopt;
  TokenUsage out;
  out.input_tokens = OptionalCount(usage, "prompt_tokens");
  out.output_tokens = OptionalCount(usage, "completion_tokens");
  out.total_tokens = OptionalCount(usage, "total_tokens");
  if (!out.total_tokens && out.input_tokens && out.output_tokens) {
    out.total_tokens = SaturatingAdd(*out.input_tokens, *out.output_tokens);
  }
  return out;
}

ProviderError OpenAIChunkDecoder::Malformed(const std::string& what) const {
  ProviderError error;
  error.kind = ProviderErrorKind::kBadResponse;
  error.message = "stream chunk " + std::to_string(chunks_) + ": " + what;
  return error;
}

StreamItem OpenAIChunkDecoder::MakeItem() const {
  StreamItem item;
  item.message_id = message_id_;
  item.delta.role = Role::kAssistant;
  item.delta.created = message_created_;
  return item;
}

std::optional<ProviderError> OpenAIChunkDecoder::Decode(std::string_view data,
                                                        std::vector<StreamItem>* items) {
  if (done_) return std::nullopt;
  ++chunks_;
  if (Trim(data) == "[DONE]") {
    FlushToolCalls(items);
    done_ = true;
    return std::nullopt;
  }
  Result<Json> parsed = JsonParse(data, "the chunk");
  if (!parsed.ok()) {
    std::string quoted = JsonDump(Json(std::string(data.substr(0, kQuotedFrameBytes))));
    return Malformed(parsed.status().message() + ": " + quoted);
  }
  Json chunk = std::move(parsed).value();
  if (!chunk.is_object()) return Malformed("must be a JSON object");
  if (const Json* error = NonNullField(chunk, "error")) return ErrorFromErrorObject(*error);

  if (const Json* id = NonNullField(chunk, "id"); id != nullptr && id->is_string()) {
    const std::string& chunk_id = id->get_ref<const std::string&>();
    if (!has_message_ || chunk_id != message_id_) {
      if (has_message_) FlushToolCalls(items);  // the previous message ends here
      message_id_ = chunk_id;
      message_created_ = NowUnixSeconds();
      has_message_ = true;
    }
  } else if (!has_message_) {
    message_created_ = NowUnixSeconds();
    has_message_ = true;
  }

  if (const Json* choices = NonNullField(chunk, "choices")) {
    if (!choices->is_array()) return Malformed("choices must be an array");
    for (const Json& choice : *choices) {
      if (!choice.is_object()) return Malformed("each of choices must be an object");
      const Json* index = NonNullField(choice, "index");
      if (index != nullptr && (!index->is_number_integer() || index->get<int64_t>() != 0)) continue;
      if (auto error = DecodeChoice(choice, items)) return error;
    }
  }
  if (const Json* usage = NonNullField(chunk, "usage")) {
    if (!usage->is_object()) return Malformed("usage must be an object");
    StreamItem item = MakeItem();
    item.usage = TokenUsageFromOpenAI(*usage);
    items->push_back(std::move(item));
  }
  return std::nullopt;
}

std::optional<ProviderError> OpenAIChunkDecoder::DecodeChoice(const Json& choice,
                                                              std::vector<StreamItem>* items) {
  if (const Json* delta = NonNullField(choice, "delta")) {
    if (!delta->is_object()) return Malformed("choices[0].delta must be an object");
    if (const Json* content = NonNullField(*delta, "content")) {
      if (!content->is_string()) return Malformed("choices[0].delta.content must be a string");
      if (!content->get_ref<const std::string&>().empty()) {
        StreamItem item = MakeItem();
        item.delta.content.emplace_back(TextContent{content->get<std::string>()});
        items->push_back(std::move(item));
      }
    }
    if (const Json* tool_calls = NonNullField(*delta, "tool_calls")) {
      if (!tool_calls->is_array()) return Malformed("choices[0].delta.tool_calls must be an array");
      for (size_t i = 0; i < tool_calls->size(); ++i) {
        if (auto error = AddToolCallFragment((*tool_calls)[i], i)) return error;
      }
    }
  }
  if (const Json* finish = NonNullField(choice, "finish_reason")) {
    if (!finish->is_string()) return Malformed("choices[0].finish_reason must be a string");
    FlushToolCalls(items);
  }
  return std::nullopt;
}

std::optional<ProviderError> OpenAIChunkDecoder::AddToolCallFragment(const Json& fragment,
                                                                     size_t position) {
  const std::string where = "choices[0].delta.tool_calls[" + std::to_string(position) + "]";
  if (!fragment.is_object()) return Malformed(where + " must be an object");
  const Json* id = NonNullField(fragment, "id");
  if (id != nullptr && !id->is_string()) return Malformed(where + ".id must be a string");
  const bool has_id = id != nullptr && !id->get_ref<const std::string&>().empty();

  int64_t index = 0;
  if (const Json* json_index = NonNullField(fragment, "index")) {
    if (!json_index->is_number_integer()) return Malformed(where + ".index must be an integer");
    index = json_index->get<int64_t>();
  } else if (!pending_.empty()) {
    // Without an index: a new id starts the next call, otherwise the
    // fragment continues the last one.
    index = pending_.rbegin()->first + (has_id ? 1 : 0);
  }

  if (pending_.size() + finished_.size() >= limits_.max_tool_calls &&
      pending_.find(index) == pending_.end() && !FailpointOn(Failpoint::kLiftReplyLimits)) {
    return LimitError("the provider's number of tool calls in one message", limits_.max_tool_calls,
                      "GOOSE_API_MAX_TOOL_CALLS");
  }
  PendingToolCall& call = pending_[index];
  if (has_id) {
    const std::string& new_id = id->get_ref<const std::string&>();
    if (!call.id.empty() && call.id != new_id) {
      // Some servers number every call 0; a new id at a used index is a new call.
      finished_.push_back(std::move(call));
      call = PendingToolCall{};
    }
    if (call.id.empty()) tool_call_bytes_ += new_id.size();
    call.id = new_id;
  }
  if (const Json* function = NonNullField(fragment, "function")) {
    if (!function->is_object()) return Malformed(where + ".function must be an object");
    if (const Json* name = NonNullField(*function, "name")) {
      if (!name->is_string()) return Malformed(where + ".function.name must be a string");
      const std::string& n = name->get_ref<const std::string&>();
      // OpenAI sends the name once; some servers repeat it in every fragment.
      if (n != call.name) {
        call.name += n;
        tool_call_bytes_ += n.size();
      }
    }
    if (const Json* arguments = NonNullField(*function, "arguments")) {
      if (!arguments->is_string()) {
        return Malformed(where + ".function.arguments must be a string");
      }
      const std::string& a = arguments->get_ref<const std::string&>();
      call.arguments += a;
      tool_call_bytes_ += a.size();
    }
  }
  if (tool_call_bytes_ > limits_.max_tool_call_bytes && !FailpointOn(Failpoint::kLiftReplyLimits)) {
    return LimitError("the tool calls of one message from the provider",
                      limits_.max_tool_call_bytes, "GOOSE_API_MAX_MESSAGE_BYTES");
  }
  return std::nullopt;
}

void OpenAIChunkDecoder::FlushToolCalls(std::vector<StreamItem>* items) {
  auto emit = [&](PendingToolCall& call) {
    StreamItem item = MakeItem();
    item.delta.content.emplace_back(
        ToolRequestFromOpenAI(std::move(call.id), std::move(call.name), call.arguments));
    items->push_back(std::move(item));
  };
  for (PendingToolCall& call : finished_) emit(call);
  for (auto& [index, call] : pending_) emit(call);
  finished_.clear();
  pending_.clear();
  tool_call_bytes_ = 0;
}

}  // namespace goose
