// SessionWriter: writes session files, by whole-file replacement or by
// appending, and makes the writes durable by the fsync policy.
//
// Two ways to write a file:
//  - Write replaces it atomically: the whole file goes to a temp file in the
//    same directory, renamed over the old one before Write returns, so a
//    crash or SIGKILL leaves the old file or the new one, and every reader
//    (the goose CLI too) sees the new file at once.
//  - Save, what the server calls after every reply, appends: when the file is
//    still exactly as this process left it (a FileMark: device, inode, size,
//    mtime, and a hash of the last message it holds), only the new messages
//    are written at its end and the metadata line (padded to kMetadataSlot)
//    is overwritten in place. Anything else (a first write, a file the CLI
//    changed, a conversation that was replaced by a summary, metadata grown
//    past its slot, the `always` policy) falls back to Write.
//    The messages go before the metadata, so a crash between the two leaves
//    a stale message_count, which readers correct; a crash inside a
//    multi-page append can leave the last line unterminated and torn, which
//    ParseSessionFile drops. A failed append (disk full) is truncated back,
//    leaving the file as it was. Appends hold an exclusive flock; readers
//    (ReadSessionFile) a shared one.
//
// fsync only adds durability across a power loss; when it happens is the
// FsyncPolicy (GOOSE_API_FSYNC): `always` fsyncs the temp file before the
// rename and the directory after it, on every write, and Save always
// rewrites under it; `batch` (the default) tells a background DeferredSync,
// which makes written files and the directory durable within about 100 ms,
// many writes per round; `never` leaves it to the kernel.
//
// Thread-safe for distinct ids. Writers of one id must be serialised by the
// caller (the session registry holds a per-session lock).

#ifndef GOOSE_CORE_MODEL_SESSION_WRITER_H_
#define GOOSE_CORE_MODEL_SESSION_WRITER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/base/status.h"
#include "core/model/deferred_sync.h"
#include "core/model/session.h"
#include "core/model/session_directory.h"

namespace goose {

// Where a session's file stood right after this process last wrote it, so
// the next Save can append. One per live session, kept with the
// conversation under the session's lock. A default FileMark means
// "unknown": the next Save rewrites the file.
struct FileMark {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  size_t messages = 0;      // messages in the file
  size_t last_message = 0;  // LineHash of the last message's line (0: none)

  bool known() const { return size > 0; }
};

class SessionWriter {
 public:
  // How long a batch-policy write may wait for its fsync round.
  static constexpr std::chrono::milliseconds kBatchDelay{100};

  // REQUIRES: `dir` outlives the writer.
  SessionWriter(const SessionDirectory* dir, FsyncPolicy fsync);
  // Syncs writes still pending (batch policy).
  ~SessionWriter();
  SessionWriter(const SessionWriter&) = delete;
  SessionWriter& operator=(const SessionWriter&) = delete;

  FsyncPolicy fsync_policy() const { return fsync_; }

  // Replaces the file of `id` atomically. The file's size goes to
  // *bytes_written when given; where the file now stands to *mark.
  Status Write(std::string_view id, const Session& session, size_t* bytes_written = nullptr,
               FileMark* mark = nullptr) const;

  // Stores `session` as the file of `id`, appending when *mark says the file
  // holds a prefix of the conversation and nobody else changed it, else by
  // Write. Updates *mark; on failure the file is as it was and *mark is
  // reset, so the next Save rewrites.
  Status Save(std::string_view id, const Session& session, FileMark* mark,
              size_t* bytes_written = nullptr) const;

  // The policy's syncs after a file was removed from the directory.
  Status SyncAfterRemove() const;

  // Makes every write and removal so far durable; returns the first fsync
  // error since the last Flush. A no-op for `always` and `never`.
  Status Flush() const;

  // The background syncer of the batch policy (nullptr for the others).
  const DeferredSync* deferred_sync() const { return deferred_.get(); }

 private:
  // Appends under Save's conditions; nullopt when that cannot be done (the
  // file is not as *mark recorded, or the metadata outgrew its slot), and
  // then nothing was written.
  std::optional<Status> TryAppend(const std::filesystem::path& path, const Session& session,
                                  FileMark* mark, size_t* bytes_written) const;
  // The policy's syncs after a file was renamed into place or appended to.
  Status SyncAfterWrite() const;

  const SessionDirectory* const dir_;
  const FsyncPolicy fsync_;
  const std::unique_ptr<DeferredSync> deferred_;  // batch policy only
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_WRITER_H_
