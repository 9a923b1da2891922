#include "core/providers/openai_completion_parser.h"

#include "core/base/json.h"
#include "core/providers/openai_chunk_decoder.h"
#include "core/providers/openai_errors.h"
#include "core/providers/openai_tool_call.h"

namespace goose {
namespace {

ProviderError Malformed(const std::string& what) {
  ProviderError error;
  error.kind = ProviderErrorKind::kBadResponse;
  error.message = "chat completion: " + what;
  return error;
}

}  // namespace

Result<Completion, ProviderError> ParseChatCompletion(std::string_view body) {
  Result<Json> parsed = JsonParse(body, "the body");
  if (!parsed.ok()) return Malformed(parsed.status().message());
  const Json& json = *parsed;
  if (!json.is_object()) return Malformed("the body must be a JSON object");
  if (const Json* error = NonNullField(json, "error")) return ErrorFromErrorObject(*error);

  const Json* choices = NonNullField(json, "choices");
  if (choices == nullptr || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return Malformed("choices[0] is missing");
  }
  const Json* message = NonNullField((*choices)[0], "message");
  if (message == nullptr || !message->is_object()) {
    return Malformed("choices[0].message is missing");
  }

  Completion completion;
  completion.message.role = Role::kAssistant;
  completion.message.created = NowUnixSeconds();
  if (const Json* content = NonNullField(*message, "content")) {
    if (!content->is_string()) return Malformed("choices[0].message.content must be a string");
    if (!content->get_ref<const std::string&>().empty()) {
      completion.message.content.emplace_back(TextContent{content->get<std::string>()});
    }
  }
  if (const Json* tool_calls = NonNullField(*message, "tool_calls")) {
    if (!tool_calls->is_array()) return Malformed("choices[0].message.tool_calls must be an array");
    for (size_t i = 0; i < tool_calls->size(); ++i) {
      const std::string where = "choices[0].message.tool_calls[" + std::to_string(i) + "]";
      const Json& call = (*tool_calls)[i];
      const Json* function = call.is_object() ? NonNullField(call, "function") : nullptr;
      if (function == nullptr || !function->is_object()) {
        return Malformed(where + ".function is missing");
      }
      const Json* id = NonNullField(call, "id");
      const Json* name = NonNullField(*function, "name");
      const Json* arguments = NonNullField(*function, "arguments");
      if ((id != nullptr && !id->is_string()) || name == nullptr || !name->is_string()) {
        return Malformed(where + " needs a string id and function.name");
      }
      std::string arguments_text;
      if (arguments != nullptr) {
        // Some servers send the arguments as an object rather than as text.
        arguments_text =
            arguments->is_string() ? arguments->get<std::string>() : JsonDump(*arguments);
      }
      completion.message.content.emplace_back(
          ToolRequestFromOpenAI(id != nullptr ? id->get<std::string>() : std::string(),
                                name->get<std::string>(), arguments_text));
    }
  }
  if (const Json* usage = NonNullField(json, "usage"))
    completion.usage = TokenUsageFromOpenAI(*usage);
  return completion;
}

}  // namespace goose
