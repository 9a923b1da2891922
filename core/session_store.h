// SessionStore: goose's session files on disk.
//
// One file per session, `<dir>/<id>.jsonl`: a metadata line (optional when
// reading, always written), then one message per line. The directory is the
// goose CLI's own, so `goose session --resume --name <id>` opens a session
// the API wrote, and the API can continue a session the CLI wrote.
//
// Two ways to write a file:
//  - Write replaces it atomically: the whole file goes to a temp file in the
//    same directory, renamed over the old one before Write returns, so a
//    crash or SIGKILL leaves the old file or the new one, and every reader
//    (the goose CLI too) sees the new file at once. A leftover temp file
//    (".<id>.jsonl.<pid>.<n>.tmp") is removed by RemoveStaleTempFiles() once
//    its writer is gone.
//  - Save, what the server calls after every reply, appends: when the file is
//    still exactly as this process left it (a FileMark: device, inode, size,
//    mtime, and a hash of the last message it holds), only the new messages
//    are written at its end and the metadata line, written padded to a fixed
//    kMetadataSlot bytes, is overwritten in place. A reply then costs the new
//    messages' bytes, not the whole conversation's, and no file is created
//    or unlinked. Anything else (a first write, a file the CLI changed, a
//    conversation that was replaced by a summary, metadata grown past its
//    slot, the `always` policy) falls back to Write.
//    Appending keeps every stored message safe: the metadata goes after the
//    messages, so a crash between the two leaves a stale message_count,
//    which readers correct from the messages (goose does the same); a crash
//    inside a multi-page append can leave the last line unterminated and
//    torn, which Parse drops. A failed append (disk full) is truncated
//    back, leaving the file as it was. Appends hold an exclusive flock and
//    this store's readers a shared one, so Read and List never see half of
//    an append.
//
// fsync only adds durability across a power loss; when it happens is the
// FsyncPolicy (GOOSE_API_FSYNC): `always` fsyncs the temp file before the
// rename and the directory after it, on every write (milliseconds per write
// on a real disk), and Save always rewrites atomically under it; `batch`
// (the default) tells a background DeferredSync, which makes written files
// and the directory durable within about 100 ms, many writes per round
// (syncfs), and syncs what is pending on Flush() and destruction; `never`
// leaves it to the kernel.
//
// Every id is checked by ValidateSessionId before any path is built; no
// method creates, reads or removes anything outside the directory.
//
// Thread-safe for distinct ids. Writers of one id must be serialised by the
// caller (the session registry holds a per-session lock).

#ifndef GOOSE_CORE_SESSION_STORE_H_
#define GOOSE_CORE_SESSION_STORE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deferred_sync.h"
#include "core/session.h"
#include "core/status.h"

namespace goose {

// What /sessions/list shows of a session, from its metadata line alone.
struct SessionInfo {
  std::string id;
  std::string description;
  int64_t message_count = 0;
  int64_t modified_unix = 0;  // file modification time, unix seconds
};

// Looks up an environment variable; returns nullptr when unset. A seam so
// tests need not change the process environment.
using EnvLookup = std::function<const char*(const char*)>;
EnvLookup ProcessEnv();

// The sessions directory: GOOSE_API_SESSIONS_DIR, else
// $XDG_DATA_HOME/goose/sessions, else $HOME/.local/share/goose/sessions.
// Fails when none of these variables is set.
Result<std::filesystem::path> ResolveSessionsDir(const EnvLookup& env);

// Where a session's file stood right after this process last wrote it,
// so the next SessionStore::Save can append. One per live session, kept
// with the conversation under the session's lock. A default FileMark means
// "unknown": the next Save rewrites the file.
struct FileMark {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  size_t messages = 0;      // messages in the file
  size_t last_message = 0;  // hash of the last message's line (0: none)

  bool known() const { return size > 0; }
};

class SessionStore {
 public:
  // How long a batch-policy write may wait for its fsync round.
  static constexpr std::chrono::milliseconds kBatchDelay{100};

  explicit SessionStore(std::filesystem::path dir, FsyncPolicy fsync = FsyncPolicy::kBatch);
  // Syncs writes still pending (batch policy).
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  FsyncPolicy fsync_policy() const { return fsync_; }

  // Creates the directory (and parents) when missing, mode 0700.
  Status EnsureDir() const;

  // The file of session `id`. InvalidArgument for an invalid id.
  Result<std::filesystem::path> PathFor(std::string_view id) const;

  bool Exists(std::string_view id) const;

  // Every readable session, newest first. Files whose names are not valid
  // ids, or whose first line is malformed, are skipped (a listing must not
  // fail because of one bad file); their count is in `skipped` if given.
  Result<std::vector<SessionInfo>> List(int* skipped = nullptr) const;

  // The whole session. NotFound when there is no file; DataLoss naming the
  // file and the 1-based line when a line is malformed (the file is left as
  // it is). A file without a metadata line gets default metadata with
  // message_count set from its messages.
  Result<Session> Read(std::string_view id) const;

  // The metadata line is padded with spaces to this many bytes (newline
  // included) when it fits, so Save can overwrite it in place. One disk
  // sector: a power loss cannot tear it.
  static constexpr size_t kMetadataSlot = 512;

  // Replaces the file of `id` atomically. message_count in the written
  // metadata is the number of messages. The file's size goes to
  // *bytes_written when given; where the file now stands to *mark.
  Status Write(std::string_view id, const Session& session, size_t* bytes_written = nullptr,
               FileMark* mark = nullptr) const;

  // Stores `session` as the file of `id`, appending to it when *mark says
  // the file holds a prefix of the conversation and nobody else changed it,
  // else by Write (see the top of this file). Updates *mark; on failure the
  // file is as it was and *mark is reset, so the next Save rewrites.
  Status Save(std::string_view id, const Session& session, FileMark* mark,
              size_t* bytes_written = nullptr) const;

  // Removes the file of `id`. NotFound when there is none.
  Status Delete(std::string_view id) const;

  // Makes every write and delete so far durable (fsyncs what the batch
  // policy still has pending); returns the first fsync error since the last
  // Flush. Cheap when nothing is pending; a no-op for `always` and `never`.
  Status Flush() const;

  // The background syncer of the batch policy (nullptr for the others);
  // exposed for tests and benchmarks.
  const DeferredSync* deferred_sync() const { return deferred_.get(); }

  // Removes temp files left by writers that no longer run (a crash
  // mid-write). Returns how many were removed.
  Result<int> RemoveStaleTempFiles() const;

  // `session` as file bytes, the metadata line unpadded (Write pads it to
  // its slot); Parse reads them back losslessly. Compaction keeps live
  // conversations in this form.
  static std::string Serialize(const Session& session);
  // Parses a whole file's bytes; `name` is used in error messages. A last
  // line that is neither terminated nor valid JSON is a torn append and is
  // left out; any other malformed line is DataLoss.
  static Result<Session> Parse(std::string_view bytes, std::string_view name);

 private:
  // Appends under Save's conditions; nullopt when that cannot be done (the
  // file is not as *mark recorded, or the metadata outgrew its slot), and
  // then nothing was written.
  std::optional<Status> TryAppend(const std::filesystem::path& path, const Session& session,
                                  FileMark* mark, size_t* bytes_written) const;
  // The policy's syncs after a file was renamed into place or appended to.
  Status SyncAfterWrite() const;

  std::filesystem::path dir_;
  const FsyncPolicy fsync_;
  const std::unique_ptr<DeferredSync> deferred_;  // batch policy only
};

}  // namespace goose

#endif  // GOOSE_CORE_SESSION_STORE_H_
