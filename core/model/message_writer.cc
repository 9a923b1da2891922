#include "core/model/message_writer.h"

#include <array>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/base/json.h"

namespace goose {
namespace {

// Writes one JSON object: the model's `keys` (sorted, as nlohmann keeps
// object keys) merged with the fields of `extra` that the model does not
// hold, in key order; a model field wins over an extra field of the same
// name (what WithExtra does). `write_field(i, out)` writes the value of
// keys[i].
template <size_t N, typename WriteField>
void WriteObject(const Json& extra, const std::array<std::string_view, N>& keys,
                 WriteField write_field, std::string* out) {
  out->push_back('{');
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out->push_back(',');
    first = false;
    JsonStringTo(k, out);
    out->push_back(':');
  };
  size_t next = 0;
  auto model_fields_before = [&](const std::string* bound) {
    while (next < N && (bound == nullptr || keys[next] < *bound)) {
      key(keys[next]);
      write_field(next, out);
      ++next;
    }
  };
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      model_fields_before(&it.key());
      if (next < N && keys[next] == it.key()) continue;  // the model's field wins
      key(it.key());
      JsonDumpTo(it.value(), out);
    }
  }
  model_fields_before(nullptr);
  out->push_back('}');
}

// goose's ToolResult: {"status":"success","value":...} | {"error":...,"status":"error"}.
template <typename T, typename WriteValue>
void WriteToolResult(const ToolResult<T>& r, WriteValue write_value, std::string* out) {
  if (r.ok()) {
    WriteObject(
        r.extra, std::array<std::string_view, 2>{"status", "value"},
        [&](size_t i, std::string* o) {
          if (i == 0) {
            o->append("\"success\"");
          } else {
            write_value(*r.value, o);
          }
        },
        out);
    return;
  }
  WriteObject(
      r.extra, std::array<std::string_view, 2>{"error", "status"},
      [&](size_t i, std::string* o) {
        if (i == 0) {
          JsonStringTo(r.error, o);
        } else {
          o->append("\"error\"");
        }
      },
      out);
}

// An object of a "type" and string fields, e.g. {"text":...,"type":"text"}:
// `keys` sorted, `values[i]` the value of keys[i] (the type's own value
// among them).
template <size_t N>
void WriteStringFields(const Json& extra, const std::array<std::string_view, N>& keys,
                       const std::array<std::string_view, N>& values, std::string* out) {
  WriteObject(
      extra, keys, [&](size_t i, std::string* o) { JsonStringTo(values[i], o); }, out);
}

void WriteContent(const Content& content, std::string* out) {
  using Keys2 = std::array<std::string_view, 2>;
  using Keys3 = std::array<std::string_view, 3>;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TextContent>) {
          WriteStringFields(c.extra, Keys2{"text", "type"}, Keys2{c.text, "text"}, out);
        } else if constexpr (std::is_same_v<T, ImageContent>) {
          WriteStringFields(c.extra, Keys3{"data", "mimeType", "type"},
                            Keys3{c.data, c.mime_type, "image"}, out);
        } else if constexpr (std::is_same_v<T, ToolRequestContent>) {
          WriteObject(
              c.extra, Keys3{"id", "toolCall", "type"},
              [&](size_t i, std::string* o) {
                if (i == 0) {
                  JsonStringTo(c.id, o);
                } else if (i == 1) {
                  WriteToolResult(
                      c.tool_call,
                      [](const ToolCall& call, std::string* v) {
                        WriteObject(
                            call.extra, Keys2{"arguments", "name"},
                            [&](size_t j, std::string* w) {
                              if (j == 0) {
                                JsonDumpTo(call.arguments, w);
                              } else {
                                JsonStringTo(call.name, w);
                              }
                            },
                            v);
                      },
                      o);
                } else {
                  o->append("\"toolRequest\"");
                }
              },
              out);
        } else if constexpr (std::is_same_v<T, ToolResponseContent>) {
          WriteObject(
              c.extra, Keys3{"id", "toolResult", "type"},
              [&](size_t i, std::string* o) {
                if (i == 0) {
                  JsonStringTo(c.id, o);
                } else if (i == 1) {
                  WriteToolResult(
                      c.tool_result,
                      [](const std::vector<Json>& items, std::string* v) {
                        v->push_back('[');
                        for (size_t j = 0; j < items.size(); ++j) {
                          if (j > 0) v->push_back(',');
                          JsonDumpTo(items[j], v);
                        }
                        v->push_back(']');
                      },
                      o);
                } else {
                  o->append("\"toolResponse\"");
                }
              },
              out);
        } else if constexpr (std::is_same_v<T, ThinkingContent>) {
          WriteStringFields(c.extra, Keys3{"signature", "thinking", "type"},
                            Keys3{c.signature, c.thinking, "thinking"}, out);
        } else if constexpr (std::is_same_v<T, RedactedThinkingContent>) {
          WriteStringFields(c.extra, Keys2{"data", "type"}, Keys2{c.data, "redactedThinking"}, out);
        } else if constexpr (std::is_same_v<T, ContextLengthExceededContent>) {
          WriteStringFields(c.extra, Keys2{"msg", "type"}, Keys2{c.msg, "contextLengthExceeded"},
                            out);
        } else if constexpr (std::is_same_v<T, SummarizationRequestedContent>) {
          WriteStringFields(c.extra, Keys2{"msg", "type"}, Keys2{c.msg, "summarizationRequested"},
                            out);
        } else {
          static_assert(std::is_same_v<T, UnknownContent>);
          JsonDumpTo(c.raw, out);
        }
      },
      content);
}

}  // namespace

void WriteMessageJson(const Message& message, std::string* out) {
  WriteObject(
      message.extra, std::array<std::string_view, 3>{"content", "created", "role"},
      [&](size_t i, std::string* o) {
        if (i == 0) {
          o->push_back('[');
          for (size_t j = 0; j < message.content.size(); ++j) {
            if (j > 0) o->push_back(',');
            WriteContent(message.content[j], o);
          }
          o->push_back(']');
        } else if (i == 1) {
          o->append(std::to_string(message.created));
        } else {
          JsonStringTo(RoleName(message.role), o);
        }
      },
      out);
}

}  // namespace goose
