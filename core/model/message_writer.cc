#include "core/model/message_writer.h"

#include <array>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/base/json.h"

namespace goose {
namespace {

template <size_t N>
using Keys = std::array<std::string_view, N>;

// True when `keys` are in nlohmann's object order, which WriteObject needs.
template <size_t N>
constexpr bool Sorted(const Keys<N>& keys) {
  for (size_t i = 1; i < N; ++i) {
    if (!(keys[i - 1] < keys[i])) return false;
  }
  return true;
}

// Each object's model keys, sorted (checked here, at compile time).
constexpr Keys<2> kSuccessKeys{"status", "value"};
constexpr Keys<2> kFailureKeys{"error", "status"};
constexpr Keys<2> kTextKeys{"text", "type"};
constexpr Keys<3> kImageKeys{"data", "mimeType", "type"};
constexpr Keys<3> kToolRequestKeys{"id", "toolCall", "type"};
constexpr Keys<2> kToolCallKeys{"arguments", "name"};
constexpr Keys<3> kToolResponseKeys{"id", "toolResult", "type"};
constexpr Keys<3> kThinkingKeys{"signature", "thinking", "type"};
constexpr Keys<2> kDataKeys{"data", "type"};
constexpr Keys<2> kMsgKeys{"msg", "type"};
constexpr Keys<3> kMessageKeys{"content", "created", "role"};
constexpr Keys<10> kMetadataKeys{"accumulated_input_tokens",
                                 "accumulated_output_tokens",
                                 "accumulated_total_tokens",
                                 "description",
                                 "input_tokens",
                                 "message_count",
                                 "output_tokens",
                                 "schedule_id",
                                 "total_tokens",
                                 "working_dir"};
static_assert(Sorted(kSuccessKeys) && Sorted(kFailureKeys) && Sorted(kTextKeys) &&
              Sorted(kImageKeys) && Sorted(kToolRequestKeys) && Sorted(kToolCallKeys) &&
              Sorted(kToolResponseKeys) && Sorted(kThinkingKeys) && Sorted(kDataKeys) &&
              Sorted(kMsgKeys) && Sorted(kMessageKeys) && Sorted(kMetadataKeys));

// Writes one JSON object: the model's `keys` (sorted, as nlohmann keeps
// object keys) merged with the fields of `extra` that the model does not
// hold, in key order; a model field wins over an extra field of the same
// name (what WithExtra does). `write_field(i, out)` writes the value of
// keys[i].
template <size_t N, typename WriteField>
void WriteObject(const Json& extra, const Keys<N>& keys, WriteField write_field, std::string* out) {
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
        r.extra, kSuccessKeys,
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
      r.extra, kFailureKeys,
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
void WriteStringFields(const Json& extra, const Keys<N>& keys, const Keys<N>& values,
                       std::string* out) {
  WriteObject(
      extra, keys, [&](size_t i, std::string* o) { JsonStringTo(values[i], o); }, out);
}

void WriteContent(const Content& content, std::string* out) {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TextContent>) {
          WriteStringFields(c.extra, kTextKeys, Keys<2>{c.text, "text"}, out);
        } else if constexpr (std::is_same_v<T, ImageContent>) {
          WriteStringFields(c.extra, kImageKeys, Keys<3>{c.data, c.mime_type, "image"}, out);
        } else if constexpr (std::is_same_v<T, ToolRequestContent>) {
          WriteObject(
              c.extra, kToolRequestKeys,
              [&](size_t i, std::string* o) {
                if (i == 0) {
                  JsonStringTo(c.id, o);
                } else if (i == 1) {
                  WriteToolResult(
                      c.tool_call,
                      [](const ToolCall& call, std::string* v) {
                        WriteObject(
                            call.extra, kToolCallKeys,
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
              c.extra, kToolResponseKeys,
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
          WriteStringFields(c.extra, kThinkingKeys, Keys<3>{c.signature, c.thinking, "thinking"},
                            out);
        } else if constexpr (std::is_same_v<T, RedactedThinkingContent>) {
          WriteStringFields(c.extra, kDataKeys, Keys<2>{c.data, "redactedThinking"}, out);
        } else if constexpr (std::is_same_v<T, ContextLengthExceededContent>) {
          WriteStringFields(c.extra, kMsgKeys, Keys<2>{c.msg, "contextLengthExceeded"}, out);
        } else if constexpr (std::is_same_v<T, SummarizationRequestedContent>) {
          WriteStringFields(c.extra, kMsgKeys, Keys<2>{c.msg, "summarizationRequested"}, out);
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
      message.extra, kMessageKeys,
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

void WriteMetadataJson(const SessionMetadata& metadata, int64_t message_count, std::string* out) {
  auto count = [](const std::optional<int64_t>& v, std::string* o) {
    o->append(v ? std::to_string(*v) : "null");
  };
  const SessionMetadata& m = metadata;
  WriteObject(
      m.extra, kMetadataKeys,
      [&](size_t i, std::string* o) {
        switch (i) {
          case 0:
            count(m.accumulated_input_tokens, o);
            break;
          case 1:
            count(m.accumulated_output_tokens, o);
            break;
          case 2:
            count(m.accumulated_total_tokens, o);
            break;
          case 3:
            JsonStringTo(m.description, o);
            break;
          case 4:
            count(m.input_tokens, o);
            break;
          case 5:
            o->append(std::to_string(message_count));
            break;
          case 6:
            count(m.output_tokens, o);
            break;
          case 7:
            if (m.schedule_id) {
              JsonStringTo(*m.schedule_id, o);
            } else {
              o->append("null");
            }
            break;
          case 8:
            count(m.total_tokens, o);
            break;
          case 9:
            JsonStringTo(m.working_dir, o);
            break;
        }
      },
      out);
}

}  // namespace goose
