// A message's JSON text written straight from the model: byte for byte
// what JsonDump(MessageToJson(message)) gives (keys in nlohmann's order,
// unknown fields merged in, the same escaping), without building the DOM.
// The session file writes every new message with it, and the append check
// hashes the stored tail with it; the message_json fuzzer holds the two
// paths equal on every input.

#ifndef GOOSE_CORE_MODEL_MESSAGE_WRITER_H_
#define GOOSE_CORE_MODEL_MESSAGE_WRITER_H_

#include <string>

#include "core/model/message.h"

namespace goose {

// Appends the JSON text of `message` (no newline) to *out.
void WriteMessageJson(const Message& message, std::string* out);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_MESSAGE_WRITER_H_
