#include "core/base/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/unique_fd.h"

namespace goose {

std::string ErrnoMessage(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

Status WriteError(std::string_view what, const std::filesystem::path& path) {
  if (errno == ENOSPC || errno == EDQUOT) {
    return Status(
        StatusCode::kStorageFull,
        "the sessions disk is full: " + ErrnoMessage(what, path) + "; nothing stored was lost");
  }
  return IoError(ErrnoMessage(what, path));
}

Status WriteAll(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteError("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status PWriteAll(int fd, std::string_view bytes, off_t offset, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteError("cannot write", path);
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::Ok();
}

Result<std::string> ReadAll(int fd, const std::filesystem::path& path) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(ErrnoMessage("cannot read", path));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return WriteError("cannot write", path);
  if (Status s = WriteAll(fd.get(), bytes, path); !s.ok()) return s;
  // close(2) is where NFS and some full disks report a failed write.
  if (::close(fd.Release()) != 0) return WriteError("cannot write", path);
  return Status::Ok();
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFound(ErrnoMessage("cannot read", path));
    return IoError(ErrnoMessage("cannot read", path));
  }
  return ReadAll(fd.get(), path);
}

}  // namespace goose
