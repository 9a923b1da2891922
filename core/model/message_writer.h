// A message's (and a session's metadata's) JSON text written straight from
// the model: byte for byte what JsonDump(MessageToJson(message)) (and
// JsonDump(MetadataToJson())) gives (keys in nlohmann's order,
// unknown fields merged in, the same escaping), without building the DOM.
// The session file writes every new message with it, and the append check
// hashes the stored tail with it; the message_json fuzzer holds the two
// paths equal on every input.

#ifndef GOOSE_CORE_MODEL_MESSAGE_WRITER_H_
#define GOOSE_CORE_MODEL_MESSAGE_WRITER_H_

#include <cstdint>
#include <string>

#include "core/model/message.h"
#include "core/model/session.h"

namespace goose {

// Appends the JSON text of `message` (no newline) to *out.
void WriteMessageJson(const Message& message, std::string* out);

// Appends the JSON text of `metadata` with its message_count replaced by
// `message_count` (no newline) to *out.
void WriteMetadataJson(const SessionMetadata& metadata, int64_t message_count, std::string* out);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_MESSAGE_WRITER_H_
