#include "core/providers/openai_request_builder.h"

#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/providers/openai_tool_call.h"

namespace goose {
namespace {

Json ImagePart(const std::string& mime_type, const std::string& base64) {
  return Json{{"type", "image_url"},
              {"image_url", {{"url", "data:" + mime_type + ";base64," + base64}}}};
}

std::string StringOf(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One tool result as goose sends it: each MCP item's text (an image becomes
// a placeholder plus a user message carrying it, queued in *image_messages;
// a resource its text; other items nothing), joined by a space.
void AppendToolResponse(const ToolResponseContent& response, Json* out, Json* image_messages) {
  if (!response.tool_result.ok()) {
    out->push_back(Json{
        {"role", "tool"},
        {"tool_call_id", response.id},
        {"content", "The tool call returned the following error:\n" + response.tool_result.error}});
    return;
  }
  std::vector<std::string> pieces;
  for (const Json& item : *response.tool_result.value) {
    std::string piece;
    const std::string type = StringOf(item, "type");
    if (type == "text") {
      piece = StringOf(item, "text");
    } else if (type == "image") {
      piece = std::string(kToolImagePlaceholder);
      image_messages->push_back(
          Json{{"role", "user"},
               {"content",
                Json::array({ImagePart(StringOf(item, "mimeType"), StringOf(item, "data"))})}});
    } else if (type == "resource") {
      piece = StringOf(item.value("resource", Json::object()), "text");
    }
    pieces.push_back(std::move(piece));
  }
  out->push_back(
      Json{{"role", "tool"}, {"tool_call_id", response.id}, {"content", Join(pieces, " ")}});
}

void AppendMessage(const Message& message, Json* out) {
  std::string text;
  bool has_text = false;
  std::vector<Json> parts;  // text and image parts in order, used when there is an image
  bool has_image = false;
  Json tool_calls = Json::array();
  Json tool_messages = Json::array();
  Json image_messages = Json::array();  // images from tool results, after every tool message

  for (const Content& content : message.content) {
    if (const auto* t = std::get_if<TextContent>(&content)) {
      if (t->text.empty()) continue;
      if (has_text) text += '\n';
      text += t->text;
      has_text = true;
      parts.push_back(Json{{"type", "text"}, {"text", t->text}});
    } else if (const auto* image = std::get_if<ImageContent>(&content)) {
      parts.push_back(ImagePart(image->mime_type, image->data));
      has_image = true;
    } else if (const auto* request = std::get_if<ToolRequestContent>(&content)) {
      if (request->tool_call.ok()) {
        const ToolCall& call = *request->tool_call.value;
        tool_calls.push_back(Json{{"id", request->id},
                                  {"type", "function"},
                                  {"function",
                                   {{"name", SanitizeFunctionName(call.name)},
                                    {"arguments", JsonDump(call.arguments)}}}});
      } else {
        tool_messages.push_back(Json{{"role", "tool"},
                                     {"tool_call_id", request->id},
                                     {"content", "Error: " + request->tool_call.error}});
      }
    } else if (const auto* response = std::get_if<ToolResponseContent>(&content)) {
      AppendToolResponse(*response, &tool_messages, &image_messages);
    }
    // thinking, redactedThinking, contextLengthExceeded,
    // summarizationRequested and unknown content are not sent.
  }

  Json converted = {{"role", std::string(RoleName(message.role))}};
  bool send_converted = false;
  if (has_image && message.role == Role::kUser) {
    converted["content"] = std::move(parts);
    send_converted = true;
  } else if (has_text) {
    converted["content"] = text;
    send_converted = true;
  }
  if (!tool_calls.empty()) {
    if (!converted.contains("content")) converted["content"] = nullptr;
    converted["tool_calls"] = std::move(tool_calls);
    send_converted = true;
  }

  for (Json& m : image_messages) tool_messages.push_back(std::move(m));
  const bool tool_messages_first = message.role == Role::kUser;
  if (tool_messages_first) {
    for (Json& m : tool_messages) out->push_back(std::move(m));
  }
  if (send_converted) out->push_back(std::move(converted));
  if (!tool_messages_first) {
    for (Json& m : tool_messages) out->push_back(std::move(m));
  }
}

}  // namespace

Json BuildChatMessages(const ProviderRequest& request) {
  Json messages = Json::array();
  if (!request.system.empty()) {
    messages.push_back(Json{{"role", "system"}, {"content", request.system}});
  }
  for (const Message& message : request.conversation) AppendMessage(message, &messages);
  return messages;
}

Json BuildChatCompletionsRequest(const ProviderRequest& request, std::string_view model,
                                 bool stream) {
  Json body = {{"model", std::string(model)}, {"messages", BuildChatMessages(request)}};
  if (request.tools != nullptr && !request.tools->empty()) {
    Json tools = Json::array();
    for (const ToolSpec& tool : *request.tools) {
      tools.push_back(Json{{"type", "function"},
                           {"function",
                            {{"name", tool.name},
                             {"description", tool.description},
                             {"parameters", tool.input_schema}}}});
    }
    body["tools"] = std::move(tools);
  }
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

}  // namespace goose
