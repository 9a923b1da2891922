#include "mock_provider/wire_protocol.h"

#include "core/base/strings.h"

namespace goose::mock {

std::string ContentText(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  std::vector<std::string_view> texts;
  for (const Json& part : content) {
    if (!part.is_object()) continue;
    auto type = part.find("type");
    auto text = part.find("text");
    if (type == part.end() || *type != "text" || text == part.end() || !text->is_string()) continue;
    texts.push_back(text->get_ref<const std::string&>());
  }
  return Join(texts, "\n");
}

void AppendSseFrame(std::string_view event, const Json& data, std::string* out) {
  if (!event.empty()) {
    out->append("event: ");
    out->append(event);
    out->push_back('\n');
  }
  out->append("data: ");
  out->append(JsonDump(data));
  out->append("\n\n");
}

WireError WireErrorOf(const ScriptedFailure& failure) {
  switch (failure.kind) {
    case FailureKind::kHttp429:
      return WireError::kRateLimited;
    case FailureKind::kContextLengthExceeded:
      return WireError::kContextLengthExceeded;
    case FailureKind::kErrorFrame:
      return failure.code == "context_length_exceeded" ? WireError::kContextLengthExceeded
                                                       : WireError::kServerError;
    default:
      return WireError::kServerError;
  }
}

}  // namespace goose::mock
