// The chat.completions request body written as text straight from the
// conversation: byte for byte JsonDump(BuildChatCompletionsRequest(...))
// (openai_request_builder.h says what goose sends for each kind of
// content), without building the JSON document.
//
// The document cost several times the conversation on every turn (a 35 MiB
// conversation took the server to 179 MiB); the text costs its own size.
// The request builder stays as the reference the tests hold this equal to.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_WRITER_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_WRITER_H_

#include <string>
#include <string_view>

#include "core/base/byte_queue.h"
#include "core/model/provider.h"

namespace goose {

// Appends the request body to *out, a message at a time (each message's
// text a block of its own: the body never grows by copying itself).
// `stream` adds "stream":true and asks for a final usage chunk.
void WriteChatCompletionsRequest(const ProviderRequest& request, std::string_view model,
                                 bool stream, ByteQueue* out);

// The body. Under the request_dom failpoint, JsonDump of the document, as
// before (the canary of the provider-request peak).
ByteQueue ChatCompletionsBody(const ProviderRequest& request, std::string_view model, bool stream);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_REQUEST_WRITER_H_
