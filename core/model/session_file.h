// Session files: goose's `<id>.jsonl` format, written and read.
//
// A file is a metadata line (optional when reading, always written), then
// one message per line. The metadata line is padded with spaces to
// kMetadataSlot bytes when it fits, so a writer can overwrite it in place
// (core/model/session_writer.h); goose's reader ignores the spaces.
//
// Reading is forgiving in exactly one way: a last line that is neither
// terminated nor valid JSON is an append cut short by a crash (its reply was
// never answered) and is left out. Any other malformed line is DataLoss
// naming the file and the 1-based line.

#ifndef GOOSE_CORE_MODEL_SESSION_FILE_H_
#define GOOSE_CORE_MODEL_SESSION_FILE_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/base/unique_fd.h"
#include "core/model/session.h"

namespace goose {

// The file name of a session is its id followed by this.
inline constexpr std::string_view kSessionFileSuffix = ".jsonl";

// The metadata line's padded size, newline included: one disk sector, so a
// power loss cannot tear it.
inline constexpr size_t kMetadataSlot = 512;

// One message as its line in the file, newline included.
std::string MessageLine(const Message& message);

// The metadata line of `session` with message_count set from its messages,
// newline included; padded to kMetadataSlot when `pad` and it fits.
std::string MetadataLine(const Session& session, bool pad);

// A hash of one message line, never 0 (writers use 0 for "no line").
size_t LineHash(std::string_view line);

// `session` as file bytes, the metadata line unpadded. ParseSessionFile
// reads them back losslessly (live sessions are compacted to this form).
std::string SerializeSession(const Session& session);

// Parses a whole file's bytes; `name` is used in error messages. A file
// without a metadata line gets default metadata; message_count is always
// the number of messages read (goose trusts the messages, not the count).
Result<Session> ParseSessionFile(std::string_view bytes, std::string_view name);

// Opens a session file for reading: never through a symlink, never
// blocking on something that is not a regular file (a FIFO planted in the
// directory), and under a shared flock (so an append in progress is never
// seen half done). NotFound when there is no file.
Result<UniqueFd> OpenSessionFile(const std::filesystem::path& path);

// DataLoss naming the file `name`, the 1-based line and `cause`.
Status SessionLineError(std::string_view name, size_t line_no, const Status& cause);

// Reads a whole session file under a shared flock (so an append in progress
// is never seen half done), refusing to follow a symlink. NotFound when
// there is no file.
Result<std::string> ReadSessionFile(const std::filesystem::path& path);

// What a listing needs of a session file, read from its first line only.
struct SessionHeader {
  std::string description;
  int64_t message_count = 0;
};
// Reads the metadata line of the file at `path` (at most `max_line` bytes).
// A file without a metadata line is counted line by line. DataLoss when the
// first line is malformed or longer than `max_line`.
Result<SessionHeader> ReadSessionHeader(const std::filesystem::path& path,
                                        size_t max_line = 1 << 20);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_FILE_H_
