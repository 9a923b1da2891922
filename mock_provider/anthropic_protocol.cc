#include "mock_provider/anthropic_protocol.h"

#include <utility>

namespace goose::mock {
namespace {

class AnthropicEncoder final : public FrameEncoder {
 public:
  AnthropicEncoder(std::string id, std::string model, TokenUsage usage)
      : id_(std::move(id)), model_(std::move(model)), usage_(std::move(usage)) {}

  void Begin(std::string* out) override {
    AppendSseFrame(
        "message_start",
        Json{{"type", "message_start"},
             {"message",
              {{"id", id_},
               {"type", "message"},
               {"role", "assistant"},
               {"model", model_},
               {"content", Json::array()},
               {"stop_reason", nullptr},
               {"stop_sequence", nullptr},
               {"usage",
                {{"input_tokens", usage_.input_tokens.value_or(0)}, {"output_tokens", 0}}}}}},
        out);
    AppendSseFrame("ping", Json{{"type", "ping"}}, out);
  }

  void Chunk(const TurnEvent& ev, std::string* out) override {
    if (ev.duplicated) {
      out->append(last_delta_);
      return;
    }
    Json delta;
    if (!ev.is_tool_fragment) {
      if (open_ != Block::kText || ev.first_in_message) {
        Open(Block::kText, Json{{"type", "text"}, {"text", ""}}, out);
      }
      delta = {{"type", "text_delta"}, {"text", ev.text}};
    } else {
      if (ev.first_fragment) {
        Open(Block::kToolUse,
             Json{{"type", "tool_use"},
                  {"id", ev.tool_id},
                  {"name", ev.tool->name},
                  {"input", Json::object()}},
             out);
      }
      delta = {{"type", "input_json_delta"}, {"partial_json", ev.text}};
    }
    last_delta_.clear();
    AppendSseFrame("content_block_delta",
                   Json{{"type", "content_block_delta"}, {"index", index_}, {"delta", delta}},
                   &last_delta_);
    out->append(last_delta_);
  }

  void MessageEnd(const TurnEvent& ev, std::string* out) override {
    Close(out);
    last_had_tools_ = ev.has_tool_calls;
  }

  void Finish(bool terminate, std::string* out) override {
    Close(out);
    AppendSseFrame("message_delta",
                   Json{{"type", "message_delta"},
                        {"delta",
                         {{"stop_reason", last_had_tools_ ? "tool_use" : "end_turn"},
                          {"stop_sequence", nullptr}}},
                        {"usage", {{"output_tokens", usage_.output_tokens.value_or(0)}}}},
                   out);
    if (terminate) AppendSseFrame("message_stop", Json{{"type", "message_stop"}}, out);
  }

  void ErrorFrame(const ScriptedFailure& failure, std::string* out) override {
    const bool context = WireErrorOf(failure) == WireError::kContextLengthExceeded;
    AppendSseFrame("error",
                   Json{{"type", "error"},
                        {"error",
                         {{"type", context ? "invalid_request_error" : "api_error"},
                          {"message", FailureMessage(failure)}}}},
                   out);
  }

  void CorruptFrame(std::string* out) override {
    out->append(
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        "\"delta\":{\"type\":\"text_delta\",\"text\":\"\n\n");
  }

 private:
  enum class Block { kNone, kText, kToolUse };

  void Open(Block block, Json content_block, std::string* out) {
    Close(out);
    index_ = next_index_++;
    open_ = block;
    AppendSseFrame("content_block_start",
                   Json{{"type", "content_block_start"},
                        {"index", index_},
                        {"content_block", std::move(content_block)}},
                   out);
  }

  void Close(std::string* out) {
    if (open_ == Block::kNone) return;
    AppendSseFrame("content_block_stop", Json{{"type", "content_block_stop"}, {"index", index_}},
                   out);
    open_ = Block::kNone;
  }

  const std::string id_;
  const std::string model_;
  const TokenUsage usage_;
  Block open_ = Block::kNone;
  int64_t index_ = 0;
  int64_t next_index_ = 0;
  bool last_had_tools_ = false;
  std::string last_delta_;
};

}  // namespace

Result<WireRequest> AnthropicProtocol::Parse(const Json& body) const {
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
  req.include_usage = true;
  auto system = body.find("system");
  if (system != body.end()) {
    req.system = *system;
    req.text_bytes += ContentText(*system).size();
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
    } else {
      in_assistant_run = false;
      if (!seen_user) req.first_user_text = text;
      seen_user = true;
    }
  }
  return req;
}

HttpAnswer AnthropicProtocol::Error(WireError error, int status, const std::string& message) const {
  std::string type;
  switch (error) {
    case WireError::kBadRequest:
    case WireError::kScriptExhausted:
    case WireError::kContextLengthExceeded:
      type = "invalid_request_error";
      break;
    case WireError::kUnknownScript:
    case WireError::kNotFound:
      type = "not_found_error";
      break;
    case WireError::kRateLimited:
      type = "rate_limit_error";
      break;
    case WireError::kServerError:
      type = status == 529 ? "overloaded_error" : "api_error";
      break;
  }
  HttpAnswer answer;
  answer.status = status;
  answer.body = Json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
  return answer;
}

std::unique_ptr<FrameEncoder> AnthropicProtocol::NewEncoder(const WireRequest& request,
                                                            uint64_t request_seq,
                                                            const TokenUsage& usage) const {
  return std::make_unique<AnthropicEncoder>("msg_mock_" + std::to_string(request_seq),
                                            request.model, usage);
}

Json AnthropicProtocol::ReplyBody(const WireRequest& request, uint64_t request_seq,
                                  const CollectedReply& reply, const TokenUsage& usage) const {
  Json content = Json::array();
  bool last_had_tools = false;
  for (const CollectedMessage& m : reply.messages) {
    if (!m.text.empty()) content.push_back(Json{{"type", "text"}, {"text", m.text}});
    for (const CollectedToolCall& call : m.tool_calls) {
      Result<Json> input = JsonParse(call.arguments, "tool arguments");
      content.push_back(Json{{"type", "tool_use"},
                             {"id", call.id},
                             {"name", call.name},
                             {"input", input.ok() ? *input : Json(call.arguments)}});
    }
    last_had_tools = !m.tool_calls.empty();
  }
  return Json{{"id", "msg_mock_" + std::to_string(request_seq)},
              {"type", "message"},
              {"role", "assistant"},
              {"model", request.model},
              {"content", std::move(content)},
              {"stop_reason", last_had_tools ? "tool_use" : "end_turn"},
              {"stop_sequence", nullptr},
              {"usage",
               {{"input_tokens", usage.input_tokens.value_or(0)},
                {"output_tokens", usage.output_tokens.value_or(0)}}}};
}

std::string AnthropicProtocol::CorruptBody() const {
  return "{\"id\":\"msg_mock_corrupt\",\"type\":\"message\",\"content\":[{\"type\":\"text\","
         "\"text\":\"";
}

}  // namespace goose::mock
