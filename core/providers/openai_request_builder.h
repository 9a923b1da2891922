// ProviderRequest -> the JSON body of POST /v1/chat/completions.
//
// Follows goose's OpenAI format (crates/goose/src/providers/formats/
// openai.rs, format_messages / format_tools / create_request):
//
//   system prompt          {"role":"system","content":...} first (omitted when empty)
//   user text              {"role":"user","content":"<text items joined by \n>"}
//   user text + images     {"role":"user","content":[{"type":"text","text":..},
//                            {"type":"image_url","image_url":{"url":"data:<mime>;base64,<data>"}}]}
//   assistant              {"role":"assistant","content":<text or null>,
//                           "tool_calls":[{"id","type":"function",
//                             "function":{"name","arguments":"<JSON text>"}}]}
//   failed tool request    {"role":"tool","tool_call_id":id,"content":"Error: <error>"}
//   tool response          {"role":"tool","tool_call_id":id,"content":"<texts joined by ' '>"}
//                          (images in a result become a placeholder text and a
//                          following user message with the image; a resource
//                          its text)
//   failed tool response   {"role":"tool","tool_call_id":id,
//                           "content":"The tool call returned the following error:\n<error>"}
//   thinking, redacted thinking, contextLengthExceeded,
//   summarizationRequested, unknown content     dropped
//   tools                  [{"type":"function","function":{"name","description","parameters"}}]
//   streaming              "stream":true,"stream_options":{"include_usage":true}
//
// Where goose is clearly wrong for the API, this differs and says so: several
// text items are joined rather than the last one winning, images of a user
// message become content parts next to its text rather than replacing it,
// in a user message the tool messages come before the user's own text, and
// the image messages of tool results come after all of the message's tool
// messages rather than between them (OpenAI requires the tool messages to
// follow the assistant's tool_calls without a gap).
// Messages with nothing left to send are skipped.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_BUILDER_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_BUILDER_H_

#include <string_view>

#include "core/base/json.h"
#include "core/model/message.h"
#include "core/model/provider.h"

namespace goose {

// The text goose sends in place of an image in a tool result (the image
// follows as a user message).
inline constexpr std::string_view kToolImagePlaceholder =
    "This tool result included an image that is uploaded in the next message.";

// The request body. `stream` adds "stream":true and asks for a final usage chunk.
Json BuildChatCompletionsRequest(const ProviderRequest& request, std::string_view model,
                                 bool stream);

// The "messages" array alone (system prompt first), for tests and logging.
Json BuildChatMessages(const ProviderRequest& request);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_BUILDER_H_
