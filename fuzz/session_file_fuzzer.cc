// Fuzzes ParseSessionFile, the reader of goose's session files: any
// bytes give a session or a DataLoss error naming the file, never a crash;
// an accepted file serializes to bytes that parse to the same session.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/session_file.h"
#include "core/model/session_store.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<Session> session = ParseSessionFile(bytes, "fuzz.jsonl");
  if (!session.ok()) {
    FUZZ_CHECK(session.status().message().find("fuzz.jsonl") != std::string::npos,
               "the error names the file");
    return 0;
  }
  const std::string once = SerializeSession(*session);
  Result<Session> again = ParseSessionFile(once, "fuzz.jsonl");
  FUZZ_CHECK(again.ok(), "a written session file reads back");
  FUZZ_CHECK(again->messages.size() == session->messages.size(), "no message lost");
  FUZZ_CHECK(SerializeSession(*again) == once, "round trip is stable");
  return 0;
}
