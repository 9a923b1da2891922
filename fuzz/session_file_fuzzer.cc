// Fuzzes ParseSessionFile, the reader of goose's session files: any
// bytes give a session or a DataLoss error naming the file, never a crash;
// an accepted file serializes to bytes that parse to the same session, and
// its metadata line written straight from the model is byte for byte the
// one the DOM gives.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/json.h"
#include "core/model/message_writer.h"
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
  std::string direct;
  WriteMetadataJson(session->metadata, session->metadata.message_count, &direct);
  FUZZ_CHECK(direct == JsonDump(MetadataToJson(session->metadata)),
             "the metadata writer gives the DOM's bytes");
  const std::string once = SerializeSession(*session);
  Result<Session> again = ParseSessionFile(once, "fuzz.jsonl");
  FUZZ_CHECK(again.ok(), "a written session file reads back");
  FUZZ_CHECK(again->messages.size() == session->messages.size(), "no message lost");
  FUZZ_CHECK(SerializeSession(*again) == once, "round trip is stable");
  return 0;
}
