#include "core/model/session_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/base/failpoint.h"
#include "core/base/file_io.h"
#include "core/base/unique_fd.h"
#include "core/model/session_file.h"

namespace goose {
namespace fs = std::filesystem;
namespace {

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

}  // namespace

SessionWriter::SessionWriter(const SessionDirectory* dir, FsyncPolicy fsync)
    : dir_(dir),
      fsync_(fsync),
      deferred_(fsync == FsyncPolicy::kBatch
                    ? std::make_unique<DeferredSync>(dir->path(), kBatchDelay)
                    : nullptr) {}

SessionWriter::~SessionWriter() = default;  // ~DeferredSync syncs what is pending

Status SessionWriter::Flush() const {
  return deferred_ != nullptr ? deferred_->Flush() : Status::Ok();
}

Status SessionWriter::Write(std::string_view id, const Session& session, size_t* bytes_written,
                            FileMark* mark) const {
  if (mark != nullptr) *mark = FileMark{};
  Result<fs::path> path = dir_->PathFor(id);
  if (!path.ok()) return path.status();
  if (Status s = dir_->Ensure(); !s.ok()) return s;

  const fs::path temp = dir_->TempPathFor(id);
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

Status SessionWriter::Save(std::string_view id, const Session& session, FileMark* mark,
                           size_t* bytes_written) const {
  Result<fs::path> path = dir_->PathFor(id);
  if (!path.ok()) return path.status();
  if (fsync_ != FsyncPolicy::kAlways && !FailpointOn(Failpoint::kRewriteSessions)) {
    if (std::optional<Status> appended = TryAppend(*path, session, mark, bytes_written)) {
      return *appended;
    }
  }
  return Write(id, session, bytes_written, mark);
}

std::optional<Status> SessionWriter::TryAppend(const fs::path& path, const Session& session,
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

  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
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

Status SessionWriter::SyncAfterWrite() const {
  switch (fsync_) {
    case FsyncPolicy::kAlways:
      return FsyncDirectory(dir_->path());
    case FsyncPolicy::kBatch:
      deferred_->Add();
      // sync_on_request_path: the round run before the answer, the cost the
      // benchmark's durable floor leaves out on purpose.
      return FailpointOn(Failpoint::kSyncOnRequestPath) ? deferred_->Flush() : Status::Ok();
    case FsyncPolicy::kNever:
      return Status::Ok();
  }
  return Status::Ok();
}

Status SessionWriter::SyncAfterRemove() const { return SyncAfterWrite(); }

}  // namespace goose
