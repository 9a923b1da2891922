// SessionStore: goose's session files in one directory, for a server.
//
// One file per session, `<dir>/<id>.jsonl` (core/model/session_file.h). The
// directory is the goose CLI's own, so `goose session --resume --name <id>`
// opens a session the API wrote, and the API can continue a session the CLI
// wrote. The store joins three parts, each in its own file:
//  - the format and its reader (session_file.h),
//  - the writer with the append protocol and the fsync policy
//    (session_writer.h),
//  - the directory: paths, listing, cleanup (session_directory.h).
//
// Every id is checked by ValidateSessionId before any path is built; no
// method creates, reads or removes anything outside the directory.
//
// Thread-safe for distinct ids. Writers of one id must be serialised by the
// caller (the session registry holds a per-session lock).

#ifndef GOOSE_CORE_MODEL_SESSION_STORE_H_
#define GOOSE_CORE_MODEL_SESSION_STORE_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/model/deferred_sync.h"
#include "core/model/session.h"
#include "core/model/session_directory.h"
#include "core/model/session_writer.h"

namespace goose {

class SessionStore {
 public:
  explicit SessionStore(std::filesystem::path dir, FsyncPolicy fsync = FsyncPolicy::kBatch);
  // Syncs writes still pending (batch policy).
  ~SessionStore() = default;
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  const std::filesystem::path& dir() const { return dir_.path(); }
  FsyncPolicy fsync_policy() const { return writer_.fsync_policy(); }

  // Creates the directory (and parents) when missing.
  Status EnsureDir() const { return dir_.Ensure(); }
  Result<std::filesystem::path> PathFor(std::string_view id) const { return dir_.PathFor(id); }
  bool Exists(std::string_view id) const { return dir_.Exists(id); }
  Result<std::vector<SessionInfo>> List(int* skipped = nullptr) const { return dir_.List(skipped); }
  Result<int> RemoveStaleTempFiles() const { return dir_.RemoveStaleTempFiles(); }
  Status MarkEnded(std::string_view id) const { return dir_.MarkEnded(id); }
  bool IsEnded(std::string_view id) const { return dir_.IsEnded(id); }

  // The whole session. NotFound when there is no file; DataLoss naming the
  // file and the 1-based line when a line is malformed (the file is left as
  // it is).
  Result<Session> Read(std::string_view id) const;

  // Read, for bringing a session back to life: NotFound as well when this
  // process ended it (IsEnded). The registry's loader.
  Result<Session> ReadToResume(std::string_view id) const {
    if (IsEnded(id)) return NotFound("session " + std::string(id) + " was ended");
    return Read(id);
  }

  // See SessionWriter::Write and SessionWriter::Save.
  Status Write(std::string_view id, const Session& session, size_t* bytes_written = nullptr,
               FileMark* mark = nullptr) const {
    return writer_.Write(id, session, bytes_written, mark);
  }
  Status Save(std::string_view id, const Session& session, FileMark* mark,
              size_t* bytes_written = nullptr) const {
    return writer_.Save(id, session, mark, bytes_written);
  }

  // Removes the file of `id`. NotFound when there is none.
  Status Delete(std::string_view id) const;

  // Makes every write and delete so far durable; returns the first fsync
  // error since the last Flush.
  Status Flush() const { return writer_.Flush(); }

  // The background syncer of the batch policy (nullptr for the others);
  // exposed for tests and benchmarks.
  const DeferredSync* deferred_sync() const { return writer_.deferred_sync(); }

 private:
  const SessionDirectory dir_;
  const SessionWriter writer_;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_STORE_H_
