// SessionDirectory: the folder of session files, and what is in it.
//
// Maps session ids to file paths (every id is checked by ValidateSessionId
// before a path is built, so nothing outside the folder is ever named),
// lists the sessions from each file's first line alone, keeps the marks of
// sessions this process ended, and removes the temp files of writers that
// crashed and the marks of processes gone.
//
// Thread-safe: it holds nothing but the folder's path.

#ifndef GOOSE_CORE_MODEL_SESSION_DIRECTORY_H_
#define GOOSE_CORE_MODEL_SESSION_DIRECTORY_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/env.h"
#include "core/base/status.h"

namespace goose {

// The sessions directory: GOOSE_API_SESSIONS_DIR, else
// $XDG_DATA_HOME/goose/sessions, else $HOME/.local/share/goose/sessions
// (goose's own). Fails when none of these variables is set.
Result<std::filesystem::path> ResolveSessionsDir(const EnvLookup& env);

// What /sessions/list shows of a session, from its metadata line alone.
struct SessionInfo {
  std::string id;
  std::string description;
  int64_t message_count = 0;
  int64_t modified_unix = 0;  // file modification time, unix seconds
};

class SessionDirectory {
 public:
  explicit SessionDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& path() const { return dir_; }

  // Creates the directory (and parents) when missing, mode 0700.
  Status Ensure() const;

  // The file of session `id`. InvalidArgument for an invalid id.
  Result<std::filesystem::path> PathFor(std::string_view id) const;
  // A new temp file name for a whole-file write of `id`, in the same
  // directory: ".<id>.jsonl.<pid>.<n>.tmp". REQUIRES: `id` is valid.
  std::filesystem::path TempPathFor(std::string_view id) const;

  // Whether `id` has a regular file (not a symlink).
  bool Exists(std::string_view id) const;

  // Every readable session, newest first. Files whose names are not valid
  // ids, or whose first line is malformed, are skipped (a listing must not
  // fail because of one bad file); their count is in `skipped` if given.
  Result<std::vector<SessionInfo>> List(int* skipped = nullptr) const;

  // Unlinks the file of `id`. NotFound when there is none.
  Status Remove(std::string_view id) const;

  // Records that this process ended session `id` through the API: a marker
  // ".<id>.ended.<pid>", empty, mode 0600, beside the file (which stays
  // for goose's CLI). Memory stays flat however many sessions end.
  // REQUIRES: `id` is valid.
  Status MarkEnded(std::string_view id) const;
  // Whether this process ended `id` (its own marker; another process's,
  // or one of a previous run, does not count). REQUIRES: `id` is valid.
  bool IsEnded(std::string_view id) const;

  // What a crash leaves, cleaned at start: temp files and end markers of
  // processes that no longer run (a crash mid-write, an earlier run) are
  // removed, and a session file that ends inside a line (a crash inside an
  // append) is cut back to its last whole line, so goose's CLI, which
  // refuses such a file, can read it. Returns how many files were removed
  // or cut.
  Result<int> RemoveStaleTempFiles() const;

 private:
  std::filesystem::path EndedMarkerFor(std::string_view id) const;

  std::filesystem::path dir_;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_DIRECTORY_H_
