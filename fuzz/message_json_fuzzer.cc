// Fuzzes MessageFromJson: arbitrary bytes are parsed as JSON and read as a
// goose message. Whatever the input, nothing crashes or throws; a message
// that was accepted survives MessageToJson -> MessageFromJson unchanged.
// And the session file's writer (WriteMessageJson, no DOM) gives exactly
// the bytes of the DOM path, for every accepted message and for the raw
// input as a text (any bytes: invalid UTF-8 included).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/json.h"
#include "core/model/message.h"
#include "core/model/message_writer.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto direct = [](const Message& m) {
    std::string out;
    WriteMessageJson(m, &out);
    return out;
  };
  Message raw = Message::User(std::string(text));
  FUZZ_CHECK(direct(raw) == JsonDump(MessageToJson(raw)),
             "any text is written as the DOM writes it");
  Result<Json> json = JsonParse(text, "fuzz input");
  if (!json.ok()) return 0;
  Result<Message> message = MessageFromJson(*json);
  if (!message.ok()) {
    FUZZ_CHECK(!message.status().message().empty(), "an error says what is wrong");
    return 0;
  }
  const Json once = MessageToJson(*message);
  FUZZ_CHECK(direct(*message) == JsonDump(once), "the direct writer gives the DOM's bytes");
  Result<Message> again = MessageFromJson(once);
  FUZZ_CHECK(again.ok(), "a written message reads back");
  FUZZ_CHECK(JsonDump(MessageToJson(*again)) == JsonDump(once), "round trip is stable");
  return 0;
}
