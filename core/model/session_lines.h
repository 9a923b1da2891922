// A stored session's message lines, copied as they are into an answer.
//
// /session/get answers a session's messages exactly as its file holds
// them. Parsing them into messages and rendering them again costs several
// times the conversation in memory; here each line goes from the file into
// the answer's queue, checked on the way by JsonSyntax (one JSON object,
// well-formed UTF-8, nesting within JsonDepthLimit()), so one answer costs
// its own size plus a 64 KiB read buffer. The metadata line, small, is
// parsed as usual. A line holding JSON that is not a message the model
// takes (a wrong role, say) is sent as stored; resuming the session
// refuses it (session_file.h).
//
// The rules of session_file.h hold: the metadata line is optional, blank
// lines are skipped, a last line that is neither terminated nor valid JSON
// (an append cut short) is left out, any other malformed line is DataLoss
// naming the file and the 1-based line.

#ifndef GOOSE_CORE_MODEL_SESSION_LINES_H_
#define GOOSE_CORE_MODEL_SESSION_LINES_H_

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/base/byte_queue.h"
#include "core/base/status.h"
#include "core/model/session.h"

namespace goose {

struct StreamedSession {
  SessionMetadata metadata;  // message_count is `messages`
  int64_t messages = 0;      // message lines appended
  int64_t file_bytes = 0;    // the file's size when it was opened
};

// Appends the message lines of the session file at `path` to *out, joined
// by ','; `name` names the file in errors. Reads under the file's shared
// lock (an append in progress is never seen half done). NotFound when
// there is no file. On an error *out may hold part of the lines.
Result<StreamedSession> AppendMessageLines(const std::filesystem::path& path, std::string_view name,
                                           ByteQueue* out);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_LINES_H_
