#include "core/session_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/failpoint.h"
#include "core/session_id.h"
#include "core/unique_fd.h"

namespace goose {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuffix = ".jsonl";
constexpr std::string_view kTempSuffix = ".tmp";

std::string Errno(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// A failed write: StorageFull when the disk (or quota) is full, so that the
// server answers 507 and says so; IoError otherwise.
Status WriteError(const std::string& what, const fs::path& path) {
  if (errno == ENOSPC || errno == EDQUOT) {
    return Status(StatusCode::kStorageFull,
                  "the sessions disk is full: " + Errno(what, path) + "; nothing stored was lost");
  }
  return IoError(Errno(what, path));
}

// Reads the whole file at `path`, refusing to follow a symlink out of the
// directory.
Result<std::string> ReadFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFound("session file " + path.string() + " does not exist");
    return IoError(Errno("cannot open", path));
  }
  // Waits out an append in progress (SessionStore::Save holds LOCK_EX for
  // microseconds). Without flock support the read goes ahead; Parse still
  // drops a torn last line.
  while (::flock(fd.get(), LOCK_SH) != 0 && errno == EINTR) {
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(Errno("cannot read", path));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Writes all of `bytes` at `offset`.
Status PWriteAll(int fd, std::string_view bytes, off_t offset, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteError("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteError("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Removes a temp file on destruction unless it was committed (renamed).
class TempFileGuard {
 public:
  explicit TempFileGuard(fs::path path) : path_(std::move(path)) {}
  ~TempFileGuard() {
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  void Commit() { committed_ = true; }

 private:
  fs::path path_;
  bool committed_ = false;
};

// One message as its line in the file, newline included.
std::string MessageLine(const Message& m) {
  std::string line = JsonDump(MessageToJson(m));
  line += '\n';
  return line;
}

// What a FileMark keeps of the last message's line; never 0 (0 is "none").
size_t LineHash(std::string_view line) {
  const size_t h = std::hash<std::string_view>{}(line);
  return h == 0 ? 1 : h;
}

// The metadata line of `session` (message_count set from its messages),
// padded with spaces to SessionStore::kMetadataSlot bytes when `pad` and it
// fits.
std::string MetadataLine(const Session& session, bool pad) {
  SessionMetadata metadata = session.metadata;
  metadata.message_count = static_cast<int64_t>(session.messages.size());
  std::string line = JsonDump(MetadataToJson(metadata));
  if (pad && line.size() < SessionStore::kMetadataSlot) {
    line.resize(SessionStore::kMetadataSlot - 1, ' ');
  }
  line += '\n';
  return line;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

bool SameFile(const struct stat& st, const FileMark& mark) {
  return static_cast<uint64_t>(st.st_dev) == mark.device &&
         static_cast<uint64_t>(st.st_ino) == mark.inode && st.st_size == mark.size &&
         MtimeNs(st) == mark.mtime_ns && S_ISREG(st.st_mode);
}

FileMark MarkOf(const struct stat& st, size_t messages, size_t last_message) {
  FileMark mark;
  mark.device = static_cast<uint64_t>(st.st_dev);
  mark.inode = static_cast<uint64_t>(st.st_ino);
  mark.size = st.st_size;
  mark.mtime_ns = MtimeNs(st);
  mark.messages = messages;
  mark.last_message = last_message;
  return mark;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits into lines, dropping a trailing '\r' from each.
std::vector<std::string_view> Lines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    bytes.remove_prefix(nl + 1);
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

Status LineError(std::string_view name, size_t line_no, const Status& cause) {
  return DataLoss(std::string(name) + " line " + std::to_string(line_no) + ": " + cause.message());
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

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) { return std::getenv(name); };  // NOLINT(concurrency-mt-unsafe)
}

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

SessionStore::SessionStore(fs::path dir, FsyncPolicy fsync)
    : dir_(std::move(dir)),
      fsync_(fsync),
      deferred_(fsync == FsyncPolicy::kBatch ? std::make_unique<DeferredSync>(dir_, kBatchDelay)
                                             : nullptr) {}

SessionStore::~SessionStore() = default;  // ~DeferredSync syncs what is pending

Status SessionStore::Flush() const {
  return deferred_ != nullptr ? deferred_->Flush() : Status::Ok();
}

Status SessionStore::EnsureDir() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return IoError("cannot create sessions directory " + dir_.string() + ": " + ec.message());
  if (!fs::is_directory(dir_, ec)) return IoError(dir_.string() + " is not a directory");
  return Status::Ok();
}

Result<fs::path> SessionStore::PathFor(std::string_view id) const {
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  return dir_ / (std::string(id) + std::string(kSuffix));
}

bool SessionStore::Exists(std::string_view id) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return false;
  struct stat st {};
  return ::lstat(path->c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string SessionStore::Serialize(const Session& session) {
  std::string out = MetadataLine(session, /*pad=*/false);
  for (const Message& m : session.messages) out += MessageLine(m);
  return out;
}

Result<Session> SessionStore::Parse(std::string_view bytes, std::string_view name) {
  Session session;
  bool first = true;
  bool have_metadata = false;
  size_t line_no = 0;
  const std::vector<std::string_view> lines = Lines(bytes);
  const bool unterminated = !bytes.empty() && bytes.back() != '\n';
  for (std::string_view line : lines) {
    ++line_no;
    if (IsBlank(line)) continue;
    Result<Json> json = JsonParse(line, "the line");
    if (!json.ok()) {
      // An append cut short by a crash (see the header); the reply that
      // wrote it never answered.
      if (unterminated && line_no == lines.size()) break;
      return LineError(name, line_no, json.status());
    }
    if (first && !LooksLikeMessage(*json)) {
      Result<SessionMetadata> metadata = MetadataFromJson(*json);
      if (!metadata.ok()) return LineError(name, line_no, metadata.status());
      session.metadata = std::move(metadata).value();
      have_metadata = true;
    } else {
      Result<Message> message = MessageFromJson(*json);
      if (!message.ok()) return LineError(name, line_no, message.status());
      session.messages.push_back(std::move(message).value());
    }
    first = false;
  }
  if (!have_metadata ||
      session.metadata.message_count != static_cast<int64_t>(session.messages.size())) {
    // goose trusts the messages, not the count.
    session.metadata.message_count = static_cast<int64_t>(session.messages.size());
  }
  return session;
}

Result<Session> SessionStore::Read(std::string_view id) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return path.status();
  Result<std::string> bytes = ReadFile(*path);
  if (!bytes.ok()) return bytes.status();
  return Parse(*bytes, path->string());
}

Status SessionStore::Write(std::string_view id, const Session& session, size_t* bytes_written,
                           FileMark* mark) const {
  if (mark != nullptr) *mark = FileMark{};
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return path.status();
  if (Status s = EnsureDir(); !s.ok()) return s;

  static std::atomic<uint64_t> counter{0};
  const fs::path temp =
      dir_ / ("." + std::string(id) + std::string(kSuffix) + "." + std::to_string(::getpid()) +
              "." + std::to_string(counter.fetch_add(1)) + std::string(kTempSuffix));
  std::string bytes = MetadataLine(session, /*pad=*/true);
  const bool slotted = bytes.size() == kMetadataSlot;
  size_t last_message = 0;
  for (const Message& m : session.messages) {
    std::string line = MessageLine(m);
    last_message = LineHash(line);
    bytes += line;
  }
  {
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return WriteError("cannot create", temp);
    TempFileGuard guard(temp);
    if (FailpointOn(Failpoint::kDiskFull)) {
      errno = ENOSPC;
      return WriteError("cannot write", temp);
    }
    if (Status s = WriteAll(fd.get(), bytes, temp); !s.ok()) return s;
    if (fsync_ == FsyncPolicy::kAlways && ::fsync(fd.get()) != 0) {
      return WriteError("cannot fsync", temp);
    }
    struct stat st {};
    const bool stated = ::fstat(fd.get(), &st) == 0;  // rename keeps inode and mtime
    if (::close(fd.Release()) != 0) return WriteError("cannot close", temp);
    if (::rename(temp.c_str(), path->c_str()) != 0) return WriteError("cannot rename onto", *path);
    guard.Commit();
    // Only a file with a metadata slot can be appended to.
    if (mark != nullptr && stated && slotted) {
      *mark = MarkOf(st, session.messages.size(), last_message);
    }
  }
  if (bytes_written != nullptr) *bytes_written = bytes.size();
  return SyncAfterWrite();
}

Status SessionStore::Save(std::string_view id, const Session& session, FileMark* mark,
                          size_t* bytes_written) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return path.status();
  if (fsync_ != FsyncPolicy::kAlways && !FailpointOn(Failpoint::kRewriteSessions)) {
    if (std::optional<Status> appended = TryAppend(*path, session, mark, bytes_written)) {
      return *appended;
    }
  }
  return Write(id, session, bytes_written, mark);
}

std::optional<Status> SessionStore::TryAppend(const fs::path& path, const Session& session,
                                              FileMark* mark, size_t* bytes_written) const {
  const std::vector<Message>& messages = session.messages;
  if (!mark->known() || mark->messages > messages.size()) return std::nullopt;
  // The file must hold a prefix of this conversation: a summary replaces it.
  if (mark->messages > 0 &&
      LineHash(MessageLine(messages[mark->messages - 1])) != mark->last_message) {
    return std::nullopt;
  }
  const std::string metadata = MetadataLine(session, /*pad=*/true);
  if (metadata.size() != kMetadataSlot) return std::nullopt;
  std::string tail;
  size_t last_message = mark->last_message;
  for (size_t i = mark->messages; i < messages.size(); ++i) {
    std::string line = MessageLine(messages[i]);
    last_message = LineHash(line);
    tail += line;
  }

  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return std::nullopt;  // removed, or replaced by a link: rewrite
  // Held until close; readers take LOCK_SH, so none sees half of this.
  int locked;
  while ((locked = ::flock(fd.get(), LOCK_EX)) != 0 && errno == EINTR) {
  }
  struct stat st {};
  if (locked != 0 || ::fstat(fd.get(), &st) != 0 || !SameFile(st, *mark)) return std::nullopt;

  const off_t old_size = st.st_size;
  auto undo = [&](Status failed) {
    (void)::ftruncate(fd.get(), old_size);  // the file as it was
    *mark = FileMark{};
    return failed;
  };
  if (FailpointOn(Failpoint::kDiskFull)) {
    errno = ENOSPC;
    return undo(WriteError("cannot write", path));
  }
  // Messages first: a crash before the metadata leaves only a stale count.
  if (Status s = PWriteAll(fd.get(), tail, old_size, path); !s.ok()) return undo(s);
  if (Status s = PWriteAll(fd.get(), metadata, 0, path); !s.ok()) return undo(s);
  if (::fstat(fd.get(), &st) != 0) {
    *mark = FileMark{};
  } else {
    *mark = MarkOf(st, messages.size(), last_message);
  }
  if (bytes_written != nullptr) *bytes_written = static_cast<size_t>(old_size) + tail.size();
  return SyncAfterWrite();
}

Status SessionStore::SyncAfterWrite() const {
  switch (fsync_) {
    case FsyncPolicy::kAlways:
      return FsyncDirectory(dir_);
    case FsyncPolicy::kBatch:
      deferred_->Add();
      return Status::Ok();
    case FsyncPolicy::kNever:
      return Status::Ok();
  }
  return Status::Ok();
}

Status SessionStore::Delete(std::string_view id) const {
  Result<fs::path> path = PathFor(id);
  if (!path.ok()) return path.status();
  if (::unlink(path->c_str()) != 0) {
    if (errno == ENOENT) return NotFound("session " + std::string(id) + " has no file");
    return IoError(Errno("cannot remove", *path));
  }
  if (fsync_ == FsyncPolicy::kBatch) {
    deferred_->Add();
    return Status::Ok();
  }
  return fsync_ == FsyncPolicy::kAlways ? FsyncDirectory(dir_) : Status::Ok();
}

Result<std::vector<SessionInfo>> SessionStore::List(int* skipped) const {
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
    if (!EndsWith(name, kSuffix) || name.front() == '.') continue;
    const std::string id = name.substr(0, name.size() - kSuffix.size());
    if (!ValidateSessionId(id).ok() || !entry.is_regular_file(ec)) {
      ++bad;
      continue;
    }
    Result<std::string> bytes = ReadFile(entry.path());
    if (!bytes.ok()) {
      ++bad;
      continue;
    }
    SessionInfo info;
    info.id = id;
    std::string_view first = std::string_view(*bytes).substr(0, bytes->find('\n'));
    Result<Json> json = JsonParse(first, "metadata");
    if (!json.ok()) {
      ++bad;
      continue;
    }
    if (LooksLikeMessage(*json)) {
      // No metadata line: every non-blank line is a message.
      for (std::string_view line : Lines(*bytes)) info.message_count += IsBlank(line) ? 0 : 1;
    } else {
      Result<SessionMetadata> metadata = MetadataFromJson(*json);
      if (!metadata.ok()) {
        ++bad;
        continue;
      }
      info.description = metadata->description;
      info.message_count = metadata->message_count;
    }
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

Result<int> SessionStore::RemoveStaleTempFiles() const {
  int removed = 0;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return 0;
    return IoError("cannot list " + dir_.string() + ": " + ec.message());
  }
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    pid_t owner = TempFileOwner(name);
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
