#include "core/model/session_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>

#include "core/base/file_io.h"
#include "core/base/log.h"
#include "core/base/unique_fd.h"
#include "core/model/session_file.h"
#include "core/model/session_id.h"

namespace goose {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kTempSuffix = ".tmp";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Parses "<anything>.<pid>.<n>.tmp" temp names; returns the pid or 0.
pid_t TempFileOwner(std::string_view name) {
  if (name.empty() || name.front() != '.' || !EndsWith(name, kTempSuffix) ||
      name.find(".jsonl.") == std::string_view::npos) {
    return 0;
  }
  name.remove_suffix(kTempSuffix.size());
  size_t counter_dot = name.rfind('.');
  if (counter_dot == std::string_view::npos) return 0;
  std::string_view rest = name.substr(0, counter_dot);
  size_t pid_dot = rest.rfind('.');
  if (pid_dot == std::string_view::npos) return 0;
  std::string pid_text(rest.substr(pid_dot + 1));
  if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::strtol(pid_text.c_str(), nullptr, 10));
}

constexpr std::string_view kEndedInfix = ".ended.";

// Parses ".<id>.ended.<pid>" end markers; returns the pid or 0.
pid_t EndedMarkerOwner(std::string_view name) {
  const size_t infix = name.rfind(kEndedInfix);
  if (name.empty() || name.front() != '.' || infix == std::string_view::npos) return 0;
  const std::string pid_text(name.substr(infix + kEndedInfix.size()));
  if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::strtol(pid_text.c_str(), nullptr, 10));
}

}  // namespace

Result<fs::path> ResolveSessionsDir(const EnvLookup& env) {
  auto nonempty = [&](const char* name) -> const char* {
    const char* v = env(name);
    return (v != nullptr && *v != '\0') ? v : nullptr;
  };
  if (const char* dir = nonempty("GOOSE_API_SESSIONS_DIR")) return fs::path(dir);
  if (const char* xdg = nonempty("XDG_DATA_HOME")) return fs::path(xdg) / "goose" / "sessions";
  if (const char* home = nonempty("HOME")) {
    return fs::path(home) / ".local" / "share" / "goose" / "sessions";
  }
  return InvalidArgument(
      "cannot find the sessions directory: set GOOSE_API_SESSIONS_DIR (or XDG_DATA_HOME or HOME)");
}

Status SessionDirectory::Ensure() const {
  std::error_code ec;
  // Parents as the umask makes them (goose's own ~/.local/share/goose);
  // the sessions directory itself 0700: conversations are private.
  if (dir_.has_parent_path()) fs::create_directories(dir_.parent_path(), ec);
  if (!ec && ::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError(ErrnoMessage("cannot create sessions directory", dir_));
  }
  if (ec) return IoError("cannot create sessions directory " + dir_.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return IoError(dir_.string() + " is not a directory");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    GOOSE_LOG(kWarn) << "sessions directory " << dir_.string()
                     << " is writable by other users (mode " << std::oct << (st.st_mode & 07777)
                     << std::dec << "): they can change or plant sessions; chmod 700 it";
  }
  if (st.st_uid != ::geteuid()) {
    GOOSE_LOG(kWarn) << "sessions directory " << dir_.string() << " belongs to uid " << st.st_uid
                     << ", not to this server's user (" << ::geteuid() << ")";
  }
  return Status::Ok();
}

Result<fs::path> SessionDirectory::PathFor(std::string_view id) const {
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  return dir_ / (std::string(id) + std::string(kSessionFileSuffix));
}

fs::path SessionDirectory::TempPathFor(std::string_view id) const {
  static std::atomic<uint64_t> counter{0};
  return dir_ / ("." + std::string(id) + std::string(kSessionFileSuffix) + "." +
                 std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) +
                 std::string(kTempSuffix));
}

bool SessionDirectory::Exists(std::string_view id) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return false;
  struct stat st {};
  return ::lstat(path->c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::vector<SessionInfo>> SessionDirectory::List(int* skipped) const {
  std::vector<SessionInfo> out;
  int bad = 0;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;  // nothing stored yet
    return IoError("cannot list " + dir_.string() + ": " + ec.message());
  }
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!EndsWith(name, kSessionFileSuffix) || name.front() == '.') continue;
    const std::string id = name.substr(0, name.size() - kSessionFileSuffix.size());
    if (!ValidateSessionId(id).ok() || !entry.is_regular_file(ec)) {
      ++bad;
      continue;
    }
    Result<SessionHeader> header = ReadSessionHeader(entry.path());
    if (!header.ok()) {
      ++bad;
      continue;
    }
    SessionInfo info;
    info.id = id;
    info.description = std::move(header->description);
    info.message_count = header->message_count;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) == 0) info.modified_unix = st.st_mtime;
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) {
    return a.modified_unix != b.modified_unix ? a.modified_unix > b.modified_unix : a.id < b.id;
  });
  if (skipped != nullptr) *skipped = bad;
  return out;
}

Status SessionDirectory::Remove(std::string_view id) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return path.status();
  if (::unlink(path->c_str()) != 0) {
    if (errno == ENOENT) return NotFound("session " + std::string(id) + " has no file");
    return IoError(ErrnoMessage("cannot remove", *path));
  }
  return Status::Ok();
}

fs::path SessionDirectory::EndedMarkerFor(std::string_view id) const {
  return dir_ / ("." + std::string(id) + std::string(kEndedInfix) + std::to_string(::getpid()));
}

Status SessionDirectory::MarkEnded(std::string_view id) const {
  const fs::path marker = EndedMarkerFor(id);
  UniqueFd fd(
      ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
  if (!fd.valid()) return IoError(ErrnoMessage("cannot mark the end of session in", marker));
  return Status::Ok();
}

bool SessionDirectory::IsEnded(std::string_view id) const {
  struct stat st {};
  return ::lstat(EndedMarkerFor(id).c_str(), &st) == 0;
}

namespace {

// Cuts a session file back to its last whole line when a crash inside an
// append left a part of one (a SIGKILL can stop a write() midway). Our
// reader drops such a tail, but goose's CLI (1.0.x) refuses the whole file.
// Returns whether the file was cut.
Result<bool> RepairTornTail(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) return false;  // gone, or not ours to touch: the reader reports it
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return false;
  while (::flock(fd.get(), LOCK_EX) != 0 && errno == EINTR) {
  }
  if (::fstat(fd.get(), &st) != 0) return IoError(ErrnoMessage("cannot stat", path));
  char last = '\n';
  if (::pread(fd.get(), &last, 1, st.st_size - 1) != 1)
    return IoError(ErrnoMessage("cannot read", path));
  if (last == '\n') return false;
  // Back to the last newline, a block at a time.
  std::string block(64 * 1024, '\0');
  off_t end = st.st_size;
  while (end > 0) {
    const off_t start = std::max<off_t>(0, end - static_cast<off_t>(block.size()));
    const ssize_t n = ::pread(fd.get(), block.data(), static_cast<size_t>(end - start), start);
    if (n != end - start) return IoError(ErrnoMessage("cannot read", path));
    const size_t nl = std::string_view(block.data(), static_cast<size_t>(n)).rfind('\n');
    if (nl != std::string_view::npos) {
      if (::ftruncate(fd.get(), start + static_cast<off_t>(nl) + 1) != 0) {
        return IoError(ErrnoMessage("cannot cut the torn last line of", path));
      }
      return true;
    }
    end = start;
  }
  return false;  // no whole line at all: nothing to keep; the reader reports it
}

}  // namespace

Result<int> SessionDirectory::RemoveStaleTempFiles() const {
  int removed = 0;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return 0;
    return IoError("cannot list " + dir_.string() + ": " + ec.message());
  }
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.front() != '.' && EndsWith(name, kSessionFileSuffix)) {
      Result<bool> cut = RepairTornTail(entry.path());
      if (!cut.ok()) {
        GOOSE_LOG(kWarn) << cut.status().message();  // the reader will report the file
      } else if (*cut) {
        GOOSE_LOG(kWarn) << "session file " << entry.path().string()
                         << " ended inside a line (a crash mid-append); cut back to its last "
                            "whole line";
        ++removed;
      }
      continue;
    }
    pid_t owner = TempFileOwner(name);
    if (owner <= 0) owner = EndedMarkerOwner(name);
    if (owner <= 0) continue;
    // A live writer (this process or another server on the same directory)
    // still owns its temp file.
    if (owner != ::getpid() && ::kill(owner, 0) != 0 && errno == ESRCH) {
      if (::unlink(entry.path().c_str()) == 0) ++removed;
    }
  }
  return removed;
}

}  // namespace goose
