// The body of a non-streamed chat completion as a goose Completion.
//
//   {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,
//     "message":{"role":"assistant","content":"Hi","tool_calls":[{"id":"call_1",
//       "type":"function","function":{"name":"dev__sh","arguments":"{...}"}}]},
//     "finish_reason":"tool_calls"}],"usage":{...}}
//
// becomes an assistant Message (text item when content is non-empty, one
// toolRequest per tool call, built as in openai_tool_call.h) and its usage.
// Used by OpenAIProvider::Complete(), and by a stream whose server ignored
// "stream":true and answered application/json.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_COMPLETION_PARSER_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_COMPLETION_PARSER_H_

#include <string_view>

#include "core/base/status.h"
#include "core/model/provider.h"
#include "core/model/provider_error.h"

namespace goose {

// Errors: an {"error":{...}} body -> kContextLengthExceeded or kServerError;
// not JSON, no choices[0].message, or wrong field types -> kBadResponse.
Result<Completion, ProviderError> ParseChatCompletion(std::string_view body);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_COMPLETION_PARSER_H_
