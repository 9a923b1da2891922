#include "mock_provider/openai_protocol.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "core/base/strings.h"

namespace goose::mock {
namespace {

Json UsageJson(const TokenUsage& usage) {
  return Json{{"prompt_tokens", usage.input_tokens.value_or(0)},
              {"completion_tokens", usage.output_tokens.value_or(0)},
              {"total_tokens", usage.total_tokens.value_or(0)}};
}

class OpenAIEncoder final : public FrameEncoder {
 public:
  OpenAIEncoder(std::string id_prefix, std::string model, bool include_usage, TokenUsage usage)
      : id_prefix_(std::move(id_prefix)),
        model_(std::move(model)),
        created_(NowUnixSeconds()),
        include_usage_(include_usage),
        usage_(std::move(usage)) {}

  void Begin(std::string*) override {}

  void Chunk(const TurnEvent& ev, std::string* out) override {
    if (!ev.is_tool_fragment) {
      AppendTextChunk(ev, out);
      return;
    }
    Json delta = Json::object();
    if (ev.first_in_message) delta["role"] = "assistant";
    if (!ev.is_tool_fragment) {
      delta["content"] = ev.text;
    } else {
      if (ev.first_in_message) delta["content"] = nullptr;
      Json call = {{"index", ev.tool_index}};
      if (ev.first_fragment) {
        call["id"] = ev.tool_id;
        call["type"] = "function";
        call["function"] = {{"name", ev.tool->name}, {"arguments", ev.text}};
      } else {
        call["function"] = {{"arguments", ev.text}};
      }
      delta["tool_calls"] = Json::array({std::move(call)});
    }
    AppendSseFrame("", ChunkObject(ev.message_index, std::move(delta), nullptr), out);
  }

  void MessageEnd(const TurnEvent& ev, std::string* out) override {
    last_message_ = ev.message_index;
    AppendSseFrame(
        "",
        ChunkObject(ev.message_index, Json::object(), ev.has_tool_calls ? "tool_calls" : "stop"),
        out);
  }

  void Finish(bool terminate, std::string* out) override {
    if (include_usage_) {
      Json chunk = ChunkObject(last_message_, Json::object(), nullptr);
      chunk["choices"] = Json::array();
      chunk["usage"] = UsageJson(usage_);
      AppendSseFrame("", chunk, out);
    }
    if (terminate) out->append("data: [DONE]\n\n");
  }

  void ErrorFrame(const ScriptedFailure& failure, std::string* out) override {
    const bool context = WireErrorOf(failure) == WireError::kContextLengthExceeded;
    AppendSseFrame("",
                   Json{{"error",
                         {{"message", FailureMessage(failure)},
                          {"type", context ? "invalid_request_error" : "server_error"},
                          {"param", nullptr},
                          {"code", failure.code}}}},
                   out);
  }

  void CorruptFrame(std::string* out) override {
    out->append("data: {\"id\":\"" + id_prefix_ +
                "corrupt\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                "\"delta\":{\"content\":\"\n\n");
  }

 private:
  // A text chunk, the common case, from a template: the bytes AppendSseFrame
  // would write for ChunkObject(message, {"content": text[, "role"]}, null)
  // (nlohmann writes keys sorted, so "delta" comes first), without building
  // and dumping a JSON object per chunk.
  void AppendTextChunk(const TurnEvent& ev, std::string* out) {
    if (!template_message_ || *template_message_ != ev.message_index) {
      // `{"choices":[{"delta":{},...` split around the empty delta.
      const std::string whole = JsonDump(ChunkObject(ev.message_index, Json::object(), nullptr));
      constexpr std::string_view kDelta = "\"delta\":{}";
      const size_t at = whole.find(kDelta);
      template_head_ = "data: " + whole.substr(0, at + kDelta.size() - 2);
      template_tail_ = whole.substr(at + kDelta.size()) + "\n\n";
      template_message_ = ev.message_index;
    }
    out->append(template_head_);
    out->append("{\"content\":");
    AppendJsonString(ev.text, out);
    if (ev.first_in_message) out->append(",\"role\":\"assistant\"");
    out->push_back('}');
    out->append(template_tail_);
  }

  // `text` as a JSON string, byte for byte as JsonDump writes it.
  static void AppendJsonString(std::string_view text, std::string* out) {
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (!plain) {
      out->append(JsonDump(Json(std::string(text))));
      return;
    }
    out->push_back('"');
    out->append(text);
    out->push_back('"');
  }

  Json ChunkObject(size_t message, Json delta, Json finish_reason) const {
    return Json{{"id", id_prefix_ + std::to_string(message)},
                {"object", "chat.completion.chunk"},
                {"created", created_},
                {"model", model_},
                {"system_fingerprint", nullptr},
                {"choices", Json::array({Json{{"index", 0},
                                              {"delta", std::move(delta)},
                                              {"logprobs", nullptr},
                                              {"finish_reason", std::move(finish_reason)}}})}};
  }

  const std::string id_prefix_;
  const std::string model_;
  const int64_t created_;
  const bool include_usage_;
  const TokenUsage usage_;
  size_t last_message_ = 0;
  // AppendTextChunk's frame around the delta, for message template_message_.
  std::optional<size_t> template_message_;
  std::string template_head_;
  std::string template_tail_;
};

}  // namespace

Result<WireRequest> OpenAIProtocol::Parse(const Json& body) const {
  if (!body.is_object()) return InvalidArgument("request body must be a JSON object");
  WireRequest req;
  auto model = body.find("model");
  if (model != body.end() && !model->is_string()) return InvalidArgument("model must be a string");
  req.model = model == body.end() ? "mock" : model->get<std::string>();
  auto stream = body.find("stream");
  if (stream != body.end() && !stream->is_null()) {
    if (!stream->is_boolean()) return InvalidArgument("stream must be true or false");
    req.stream = stream->get<bool>();
  }
  auto options = body.find("stream_options");
  if (options != body.end() && options->is_object()) {
    auto usage = options->find("include_usage");
    req.include_usage = usage != options->end() && usage->is_boolean() && usage->get<bool>();
  }
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array()) {
    return InvalidArgument("messages must be an array");
  }
  req.messages = *messages;
  auto tools = body.find("tools");
  if (tools != body.end() && !tools->is_null()) {
    if (!tools->is_array()) return InvalidArgument("tools must be an array");
    req.tools = *tools;
  }
  bool in_assistant_run = false;
  bool seen_user = false;
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const std::string path = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return InvalidArgument(path + " must be an object");
    auto role = m.find("role");
    if (role == m.end() || !role->is_string())
      return InvalidArgument(path + ".role must be a string");
    const std::string text = ContentText(m.value("content", Json()));
    req.text_bytes += text.size();
    if (*role == "assistant") {
      if (!in_assistant_run) ++req.assistant_turns;
      in_assistant_run = true;
    } else if (*role == "user" || *role == "tool") {
      in_assistant_run = false;
      if (*role == "user" && !seen_user) {
        req.first_user_text = text;
        seen_user = true;
      }
    }
  }
  return req;
}

HttpAnswer OpenAIProtocol::Error(WireError error, int status, const std::string& message) const {
  std::string type = "invalid_request_error";
  Json code;
  Json param;
  switch (error) {
    case WireError::kBadRequest:
      code = "invalid_request";
      break;
    case WireError::kUnknownScript:
      code = "script_not_found";
      break;
    case WireError::kNotFound:
      code = "unknown_url";
      break;
    case WireError::kScriptExhausted:
      code = "script_exhausted";
      break;
    case WireError::kRateLimited:
      type = "requests";
      code = "rate_limit_exceeded";
      break;
    case WireError::kServerError:
      type = "server_error";
      code = "server_error";
      break;
    case WireError::kContextLengthExceeded:
      code = "context_length_exceeded";
      param = "messages";
      break;
  }
  HttpAnswer answer;
  answer.status = status;
  answer.body =
      Json{{"error", {{"message", message}, {"type", type}, {"param", param}, {"code", code}}}};
  return answer;
}

std::unique_ptr<FrameEncoder> OpenAIProtocol::NewEncoder(const WireRequest& request,
                                                         uint64_t request_seq,
                                                         const TokenUsage& usage) const {
  return std::make_unique<OpenAIEncoder>("chatcmpl-" + std::to_string(request_seq) + "-",
                                         request.model, request.include_usage, usage);
}

Json OpenAIProtocol::ReplyBody(const WireRequest& request, uint64_t request_seq,
                               const CollectedReply& reply, const TokenUsage& usage) const {
  std::string text;
  Json tool_calls = Json::array();
  for (const CollectedMessage& m : reply.messages) {
    if (!m.text.empty()) AppendJoined(&text, "\n", m.text);
    for (const CollectedToolCall& call : m.tool_calls) {
      tool_calls.push_back(
          Json{{"id", call.id},
               {"type", "function"},
               {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    }
  }
  Json message = {
      {"role", "assistant"}, {"content", text.empty() ? Json() : Json(text)}, {"refusal", nullptr}};
  const bool has_tools = !tool_calls.empty();
  if (has_tools) message["tool_calls"] = std::move(tool_calls);
  return Json{
      {"id", "chatcmpl-" + std::to_string(request_seq)},
      {"object", "chat.completion"},
      {"created", NowUnixSeconds()},
      {"model", request.model},
      {"system_fingerprint", nullptr},
      {"choices", Json::array({Json{{"index", 0},
                                    {"message", std::move(message)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", has_tools ? "tool_calls" : "stop"}}})},
      {"usage", UsageJson(usage)}};
}

std::string OpenAIProtocol::CorruptBody() const {
  return "{\"id\":\"chatcmpl-corrupt\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
         "\"message\":{\"role\":\"assistant\",\"content\":\"";
}

}  // namespace goose::mock
