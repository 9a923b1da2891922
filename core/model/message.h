// goose's conversation model, in C++.
//
// A `Message` is what goose's CLI writes, one per line, in a session file:
//   {"role":"user"|"assistant","created":<unix s>,"content":[...]}
// Content items are tagged by "type" (camelCase): text, image, toolRequest,
// toolResponse, thinking, redactedThinking, contextLengthExceeded,
// summarizationRequested. Fields we do not model (annotations, ids added by
// newer goose versions, ...) are kept in `extra` and written back unchanged;
// content of a type we do not know is kept whole as `UnknownContent`.

#ifndef GOOSE_CORE_MODEL_MESSAGE_H_
#define GOOSE_CORE_MODEL_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"

namespace goose {

enum class Role { kUser, kAssistant };

std::string_view RoleName(Role role);

// goose's ToolResult<T>: {"status":"success","value":T} or
// {"status":"error","error":"<what went wrong>"}.
template <typename T>
struct ToolResult {
  std::optional<T> value;  // set on success
  std::string error;       // set on error
  Json extra = nullptr;    // fields we do not model; null when none (no allocation)

  bool ok() const { return value.has_value(); }
  static ToolResult Success(T v) { return ToolResult{std::move(v), {}}; }
  static ToolResult Failure(std::string e) { return ToolResult{std::nullopt, std::move(e)}; }
};

struct ToolCall {
  std::string name;
  Json arguments = Json::object();
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct TextContent {
  std::string text;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct ImageContent {
  std::string data;  // base64
  std::string mime_type;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct ToolRequestContent {
  std::string id;
  ToolResult<ToolCall> tool_call;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

// A tool's answer. `value` items are MCP content objects ({"type":"text",
// "text":...}, images, resources), kept as JSON since the core only passes
// them on.
struct ToolResponseContent {
  std::string id;
  ToolResult<std::vector<Json>> tool_result;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct ThinkingContent {
  std::string thinking;
  std::string signature;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct RedactedThinkingContent {
  std::string data;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct ContextLengthExceededContent {
  std::string msg;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

struct SummarizationRequestedContent {
  std::string msg;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)
};

// Content whose "type" we do not know: kept exactly as read.
struct UnknownContent {
  Json raw;
};

using Content = std::variant<TextContent, ImageContent, ToolRequestContent, ToolResponseContent,
                             ThinkingContent, RedactedThinkingContent, ContextLengthExceededContent,
                             SummarizationRequestedContent, UnknownContent>;

struct Message {
  Role role = Role::kUser;
  int64_t created = 0;  // unix seconds
  std::vector<Content> content;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)

  // A message of one text item, created now.
  static Message User(std::string text);
  static Message Assistant(std::string text);

  // The text items joined by "\n" (goose's as_concat_text).
  std::string Text() const;
  bool HasToolRequests() const;
  std::vector<const ToolRequestContent*> ToolRequests() const;
  bool HasToolResponses() const;
};

// Unix seconds now.
int64_t NowUnixSeconds();

Json ContentToJson(const Content& content);
Json MessageToJson(const Message& message);

// Parses one content item / one message. Errors name the offending field,
// e.g. "content[1].toolCall.status must be \"success\" or \"error\"".
Result<Content> ContentFromJson(const Json& json);
Result<Message> MessageFromJson(const Json& json);

// Text of an MCP content list: the "text" of each text item, joined by "\n".
std::string McpContentText(const std::vector<Json>& items);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_MESSAGE_H_
