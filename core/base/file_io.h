// Whole reads and writes on file descriptors, with errors that say what
// failed on which file.
//
// A write that fails because the disk or the quota is full is StorageFull
// (the server answers 507); any other failure is IoError.

#ifndef GOOSE_CORE_BASE_FILE_IO_H_
#define GOOSE_CORE_BASE_FILE_IO_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose {

// "<what> <path>: <strerror(errno)>".
std::string ErrnoMessage(std::string_view what, const std::filesystem::path& path);

// The Status for a write that failed with the current errno.
Status WriteError(std::string_view what, const std::filesystem::path& path);

// Writes all of `bytes` at the file offset (retrying short writes and EINTR).
Status WriteAll(int fd, std::string_view bytes, const std::filesystem::path& path);
// Writes all of `bytes` at `offset`.
Status PWriteAll(int fd, std::string_view bytes, off_t offset, const std::filesystem::path& path);

// Reads from `fd` until end of file.
Result<std::string> ReadAll(int fd, const std::filesystem::path& path);

// Replaces the file at `path` with `bytes`, creating it (mode 0644 less the
// umask) when missing; its folder must exist. Errors name the path:
// "cannot write <path>: No such file or directory".
Status WriteFile(const std::filesystem::path& path, std::string_view bytes);

// The whole content of the file at `path`. NotFound when it does not exist;
// IoError for any other failure. Errors name the path.
Result<std::string> ReadFile(const std::filesystem::path& path);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_FILE_IO_H_
