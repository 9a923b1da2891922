#include "core/model/message.h"

#include <chrono>
#include <type_traits>

#include "core/base/json.h"
#include "core/base/strings.h"

namespace goose {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Writes `extra` first and the modelled fields over it, so a modelled field
// always wins over a stray duplicate.
Json WithExtra(const Json& extra, Json fields) {
  Json out = extra.is_object() ? extra : Json::object();
  for (auto& [k, v] : fields.items()) out[k] = std::move(v);
  return out;
}

template <typename T, typename ValueToJson>
Json ToolResultToJson(const ToolResult<T>& r, ValueToJson value_to_json) {
  if (r.ok())
    return WithExtra(r.extra, {{"status", "success"}, {"value", value_to_json(*r.value)}});
  return WithExtra(r.extra, {{"status", "error"}, {"error", r.error}});
}

// Reads {"status":"success","value":...} | {"status":"error","error":...}.
template <typename T, typename ValueFromJson>
Result<ToolResult<T>> ToolResultFromJson(const Json& json, const std::string& path,
                                         ValueFromJson value_from_json) {
  JsonObjectReader r(json, path);
  std::string status = r.String("status");
  ToolResult<T> out;
  if (r.ok()) {
    if (status == "success") {
      Json value = r.Any("value", Json());
      Result<T> v = value_from_json(value, r.PathOf("value"));
      if (!v.ok()) return v.status();
      out.value = std::move(v).value();
    } else if (status == "error") {
      // goose writes the error as a string; keep anything else readable.
      Json err = r.Any("error", Json(""));
      out.error = err.is_string() ? err.get<std::string>() : err.dump();
    } else {
      r.Fail(r.PathOf("status") + " must be \"success\" or \"error\"");
    }
  }
  if (!r.ok()) return r.status();
  out.extra = r.Rest();
  return out;
}

Result<ToolCall> ToolCallFromJson(const Json& json, const std::string& path) {
  JsonObjectReader r(json, path);
  ToolCall call;
  call.name = r.String("name");
  call.arguments = r.Any("arguments", Json::object());
  if (!r.ok()) return r.status();
  call.extra = r.Rest();
  return call;
}

Result<std::vector<Json>> McpContentListFromJson(const Json& json, const std::string& path) {
  if (!json.is_array()) return InvalidArgument(path + " must be an array");
  return std::vector<Json>(json.begin(), json.end());
}

Result<Content> ContentFromJsonAt(const Json& json, const std::string& path) {
  JsonObjectReader r(json, path);
  if (!r.ok()) return r.status();
  if (!r.Has("type") || !json["type"].is_string()) {
    return InvalidArgument(r.PathOf("type") + " must be a string");
  }
  const std::string type = r.String("type");
  Content out;
  if (type == "text") {
    TextContent c;
    c.text = r.String("text");
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "image") {
    ImageContent c;
    c.data = r.String("data");
    c.mime_type = r.String("mimeType");
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "toolRequest") {
    ToolRequestContent c;
    c.id = r.String("id");
    const Json& call = r.Object("toolCall");
    if (!r.ok()) return r.status();
    auto tr = ToolResultFromJson<ToolCall>(call, r.PathOf("toolCall"), ToolCallFromJson);
    if (!tr.ok()) return tr.status();
    c.tool_call = std::move(tr).value();
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "toolResponse") {
    ToolResponseContent c;
    c.id = r.String("id");
    const Json& result = r.Object("toolResult");
    if (!r.ok()) return r.status();
    auto tr = ToolResultFromJson<std::vector<Json>>(result, r.PathOf("toolResult"),
                                                    McpContentListFromJson);
    if (!tr.ok()) return tr.status();
    c.tool_result = std::move(tr).value();
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "thinking") {
    ThinkingContent c;
    c.thinking = r.String("thinking");
    c.signature = r.String("signature");
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "redactedThinking") {
    RedactedThinkingContent c;
    c.data = r.String("data");
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "contextLengthExceeded") {
    ContextLengthExceededContent c;
    c.msg = r.String("msg");
    c.extra = r.Rest();
    out = std::move(c);
  } else if (type == "summarizationRequested") {
    SummarizationRequestedContent c;
    c.msg = r.String("msg");
    c.extra = r.Rest();
    out = std::move(c);
  } else {
    out = UnknownContent{json};
  }
  if (!r.ok()) return r.status();
  return out;
}

}  // namespace

std::string_view RoleName(Role role) { return role == Role::kUser ? "user" : "assistant"; }

int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Message Message::User(std::string text) {
  Message m;
  m.role = Role::kUser;
  m.created = NowUnixSeconds();
  m.content.emplace_back(TextContent{std::move(text)});
  return m;
}

Message Message::Assistant(std::string text) {
  Message m = User(std::move(text));
  m.role = Role::kAssistant;
  return m;
}

std::string Message::Text() const {
  std::vector<std::string_view> texts;
  for (const Content& c : content) {
    if (const auto* t = std::get_if<TextContent>(&c)) texts.push_back(t->text);
  }
  return Join(texts, "\n");
}

bool Message::HasToolRequests() const {
  for (const Content& c : content) {
    if (std::holds_alternative<ToolRequestContent>(c)) return true;
  }
  return false;
}

std::vector<const ToolRequestContent*> Message::ToolRequests() const {
  std::vector<const ToolRequestContent*> out;
  for (const Content& c : content) {
    if (const auto* t = std::get_if<ToolRequestContent>(&c)) out.push_back(t);
  }
  return out;
}

bool Message::HasToolResponses() const {
  for (const Content& c : content) {
    if (std::holds_alternative<ToolResponseContent>(c)) return true;
  }
  return false;
}

Json ContentToJson(const Content& content) {
  return std::visit(
      Overloaded{
          [](const TextContent& c) {
            return WithExtra(c.extra, {{"type", "text"}, {"text", c.text}});
          },
          [](const ImageContent& c) {
            return WithExtra(c.extra,
                             {{"type", "image"}, {"data", c.data}, {"mimeType", c.mime_type}});
          },
          [](const ToolRequestContent& c) {
            Json call = ToolResultToJson(c.tool_call, [](const ToolCall& tc) {
              return WithExtra(tc.extra, {{"name", tc.name}, {"arguments", tc.arguments}});
            });
            return WithExtra(
                c.extra, {{"type", "toolRequest"}, {"id", c.id}, {"toolCall", std::move(call)}});
          },
          [](const ToolResponseContent& c) {
            Json result =
                ToolResultToJson(c.tool_result, [](const std::vector<Json>& v) { return Json(v); });
            return WithExtra(
                c.extra,
                {{"type", "toolResponse"}, {"id", c.id}, {"toolResult", std::move(result)}});
          },
          [](const ThinkingContent& c) {
            return WithExtra(
                c.extra,
                {{"type", "thinking"}, {"thinking", c.thinking}, {"signature", c.signature}});
          },
          [](const RedactedThinkingContent& c) {
            return WithExtra(c.extra, {{"type", "redactedThinking"}, {"data", c.data}});
          },
          [](const ContextLengthExceededContent& c) {
            return WithExtra(c.extra, {{"type", "contextLengthExceeded"}, {"msg", c.msg}});
          },
          [](const SummarizationRequestedContent& c) {
            return WithExtra(c.extra, {{"type", "summarizationRequested"}, {"msg", c.msg}});
          },
          [](const UnknownContent& c) { return c.raw; },
      },
      content);
}

Json MessageToJson(const Message& message) {
  Json content = Json::array();
  for (const Content& c : message.content) content.push_back(ContentToJson(c));
  return WithExtra(message.extra, {{"role", std::string(RoleName(message.role))},
                                   {"created", message.created},
                                   {"content", std::move(content)}});
}

Result<Content> ContentFromJson(const Json& json) { return ContentFromJsonAt(json, "content"); }

Result<Message> MessageFromJson(const Json& json) {
  JsonObjectReader r(json, "");
  Message m;
  std::string role = r.String("role");
  if (r.ok()) {
    if (role == "user") {
      m.role = Role::kUser;
    } else if (role == "assistant") {
      m.role = Role::kAssistant;
    } else {
      r.Fail("role must be \"user\" or \"assistant\", not \"" + role + "\"");
    }
  }
  m.created = r.Int("created");
  const Json& content = r.Array("content");
  if (!r.ok()) return r.status();
  m.content.reserve(content.size());
  for (size_t i = 0; i < content.size(); ++i) {
    Result<Content> c = ContentFromJsonAt(content[i], "content[" + std::to_string(i) + "]");
    if (!c.ok()) return c.status();
    m.content.push_back(std::move(c).value());
  }
  m.extra = r.Rest();
  return m;
}

std::string McpContentText(const std::vector<Json>& items) {
  std::string out;
  for (const Json& item : items) {
    if (!item.is_object()) continue;
    auto type = item.find("type");
    auto text = item.find("text");
    if (type == item.end() || *type != "text" || text == item.end() || !text->is_string()) continue;
    AppendJoined(&out, "\n", text->get_ref<const std::string&>());
  }
  return out;
}

}  // namespace goose
