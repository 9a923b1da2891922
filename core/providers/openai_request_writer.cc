#include "core/providers/openai_request_writer.h"

#include <vector>

#include "core/base/failpoint.h"
#include "core/base/json.h"
#include "core/providers/openai_request_builder.h"
#include "core/providers/openai_tool_call.h"

namespace goose {
namespace {

constexpr std::string_view kToolErrorPrefix = "The tool call returned the following error:\n";

// The value of a string member of an MCP item ("" when absent or not a string).
std::string_view MemberText(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>())
                                               : std::string_view();
}

// {"image_url":{"url":"data:<mime>;base64,<data>"},"type":"image_url"}
void WriteImagePart(std::string_view mime_type, std::string_view base64, std::string* out) {
  std::string url;
  url.reserve(5 + mime_type.size() + 8 + base64.size());
  url.append("data:").append(mime_type).append(";base64,").append(base64);
  out->append(R"({"image_url":{"url":)");
  JsonStringTo(url, out);
  out->append(R"(},"type":"image_url"})");
}

// {"content":<text>,"role":"tool","tool_call_id":<id>}
void WriteToolMessage(std::string_view id, std::string_view text, std::string* out) {
  out->append(R"({"content":)");
  JsonStringTo(text, out);
  out->append(R"(,"role":"tool","tool_call_id":)");
  JsonStringTo(id, out);
  out->push_back('}');
}

// The messages one conversation message becomes, each appended to
// `messages` as its text (see openai_request_builder.h for what and why).
class MessageWriter {
 public:
  explicit MessageWriter(std::vector<std::string>* messages) : messages_(messages) {}

  void Write(const Message& message) {
    for (const Content& content : message.content) Take(content);
    std::string converted;
    const bool images = has_image_ && message.role == Role::kUser;
    if (images || has_text_ || !tool_calls_.empty()) {
      // Sized for the text ahead: no growth by doubling, no copy after.
      converted.reserve(text_.size() + text_.size() / 16 + tool_calls_.size() + 64);
      converted.append(R"({"content":)");
      if (images) {
        WriteParts(&converted);
      } else if (has_text_) {
        JsonStringTo(text_, &converted);
      } else {
        converted.append("null");
      }
      converted.append(R"(,"role":)");
      JsonStringTo(RoleName(message.role), &converted);
      if (!tool_calls_.empty()) converted.append(R"(,"tool_calls":)").append(tool_calls_) += ']';
      converted.push_back('}');
    }
    for (std::string& m : image_messages_) tool_messages_.push_back(std::move(m));
    const bool tool_messages_first = message.role == Role::kUser;
    if (tool_messages_first) Move(&tool_messages_);
    if (!converted.empty()) messages_->push_back(std::move(converted));
    if (!tool_messages_first) Move(&tool_messages_);
  }

 private:
  void Take(const Content& content) {
    if (const auto* t = std::get_if<TextContent>(&content)) {
      if (t->text.empty()) return;
      if (has_text_) text_ += '\n';
      text_ += t->text;
      has_text_ = true;
      parts_.push_back(&content);
    } else if (const auto* image = std::get_if<ImageContent>(&content)) {
      parts_.push_back(&content);
      has_image_ = true;
    } else if (const auto* request = std::get_if<ToolRequestContent>(&content)) {
      TakeToolRequest(*request);
    } else if (const auto* response = std::get_if<ToolResponseContent>(&content)) {
      TakeToolResponse(*response);
    }
    // thinking, redactedThinking, contextLengthExceeded,
    // summarizationRequested and unknown content are not sent.
  }

  void TakeToolRequest(const ToolRequestContent& request) {
    if (!request.tool_call.ok()) {
      std::string m;
      WriteToolMessage(request.id, "Error: " + request.tool_call.error, &m);
      tool_messages_.push_back(std::move(m));
      return;
    }
    const ToolCall& call = *request.tool_call.value;
    tool_calls_ += tool_calls_.empty() ? "[" : ",";
    tool_calls_.append(R"({"function":{"arguments":)");
    JsonStringTo(JsonDump(call.arguments), &tool_calls_);
    tool_calls_.append(R"(,"name":)");
    JsonStringTo(SanitizeFunctionName(call.name), &tool_calls_);
    tool_calls_.append(R"(},"id":)");
    JsonStringTo(request.id, &tool_calls_);
    tool_calls_.append(R"(,"type":"function"})");
  }

  // Each MCP item's text (an image: a placeholder, and a user message with
  // the image after the tool messages; a resource: its text), joined by a
  // space.
  void TakeToolResponse(const ToolResponseContent& response) {
    std::string m;
    if (!response.tool_result.ok()) {
      WriteToolMessage(response.id, std::string(kToolErrorPrefix) + response.tool_result.error, &m);
      tool_messages_.push_back(std::move(m));
      return;
    }
    std::string text;
    bool first = true;
    for (const Json& item : *response.tool_result.value) {
      if (!first) text += ' ';
      first = false;
      const std::string_view type = MemberText(item, "type");
      if (type == "text") {
        text.append(MemberText(item, "text"));
      } else if (type == "image") {
        text.append(kToolImagePlaceholder);
        std::string image = R"({"content":[)";
        WriteImagePart(MemberText(item, "mimeType"), MemberText(item, "data"), &image);
        image.append(R"(],"role":"user"})");
        image_messages_.push_back(std::move(image));
      } else if (type == "resource") {
        const auto it = item.find("resource");
        if (it != item.end()) text.append(MemberText(*it, "text"));
      }
    }
    WriteToolMessage(response.id, text, &m);
    tool_messages_.push_back(std::move(m));
  }

  // The text and image parts in order, as a user message with an image
  // sends them.
  void WriteParts(std::string* out) const {
    out->push_back('[');
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (i > 0) out->push_back(',');
      if (const auto* t = std::get_if<TextContent>(parts_[i])) {
        out->append(R"({"text":)");
        JsonStringTo(t->text, out);
        out->append(R"(,"type":"text"})");
      } else if (const auto* image = std::get_if<ImageContent>(parts_[i])) {
        WriteImagePart(image->mime_type, image->data, out);
      }
    }
    out->push_back(']');
  }

  void Move(std::vector<std::string>* from) {
    for (std::string& m : *from) messages_->push_back(std::move(m));
    from->clear();
  }

  std::vector<std::string>* const messages_;
  std::string text_;
  bool has_text_ = false;
  std::vector<const Content*> parts_;  // the text and image items, in order
  bool has_image_ = false;
  std::string tool_calls_;  // "[call,call" when any
  std::vector<std::string> tool_messages_;
  std::vector<std::string> image_messages_;
};

void WriteTools(const ToolList& tools, std::string* out) {
  out->append(R"(,"tools":[)");
  bool first = true;
  for (const ToolSpec& tool : *tools) {
    if (!first) out->push_back(',');
    first = false;
    out->append(R"({"function":{"description":)");
    JsonStringTo(tool.description, out);
    out->append(R"(,"name":)");
    JsonStringTo(tool.name, out);
    out->append(R"(,"parameters":)");
    JsonDumpTo(tool.input_schema, out);
    out->append(R"(},"type":"function"})");
  }
  out->push_back(']');
}

}  // namespace

void WriteChatCompletionsRequest(const ProviderRequest& request, std::string_view model,
                                 bool stream, ByteQueue* out) {
  out->Append(std::string_view(R"({"messages":[)"));
  // Each message goes in as a block of its own with the comma after it (a
  // string grown by appending may hold twice its size: the body keeps each
  // message at its size, at the cost of one message's copy).
  std::string pending;
  auto put = [&](std::string&& message) {
    if (!pending.empty()) {
      pending.push_back(',');
      out->Append(std::move(pending));
    }
    if (message.capacity() > message.size() + message.size() / 8 + 1) {
      std::string exact;
      exact.reserve(message.size() + 1);
      exact.append(message);
      message.swap(exact);
    }
    pending = std::move(message);
  };
  if (!request.system.empty()) {
    std::string system = R"({"content":)";
    JsonStringTo(request.system, &system);
    system.append(R"(,"role":"system"})");
    put(std::move(system));
  }
  std::vector<std::string> messages;
  for (const Message& message : request.conversation) {
    MessageWriter(&messages).Write(message);
    for (std::string& m : messages) put(std::move(m));
    messages.clear();
  }
  out->Append(std::move(pending));
  std::string tail = R"(],"model":)";
  JsonStringTo(model, &tail);
  if (stream) tail.append(R"(,"stream":true,"stream_options":{"include_usage":true})");
  if (request.tools != nullptr && !request.tools->empty()) WriteTools(request.tools, &tail);
  tail.push_back('}');
  out->Append(std::move(tail));
}

ByteQueue ChatCompletionsBody(const ProviderRequest& request, std::string_view model, bool stream) {
  ByteQueue body;
  if (FailpointOn(Failpoint::kRequestDom)) {
    body.Append(JsonDump(BuildChatCompletionsRequest(request, model, stream)));
  } else {
    WriteChatCompletionsRequest(request, model, stream, &body);
  }
  return body;
}

}  // namespace goose
