// Fuzzes MessageFromJson: arbitrary bytes are parsed as JSON and read as a
// goose message. Whatever the input, nothing crashes or throws; a message
// that was accepted survives MessageToJson -> MessageFromJson unchanged.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/json.h"
#include "core/model/message.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<Json> json = JsonParse(text, "fuzz input");
  if (!json.ok()) return 0;
  Result<Message> message = MessageFromJson(*json);
  if (!message.ok()) {
    FUZZ_CHECK(!message.status().message().empty(), "an error says what is wrong");
    return 0;
  }
  const Json once = MessageToJson(*message);
  Result<Message> again = MessageFromJson(once);
  FUZZ_CHECK(again.ok(), "a written message reads back");
  FUZZ_CHECK(JsonDump(MessageToJson(*again)) == JsonDump(once), "round trip is stable");
  return 0;
}
