#include "core/model/deferred_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "core/base/log.h"
#include "core/base/unique_fd.h"

namespace goose {
namespace fs = std::filesystem;
namespace {

Status SyncError(const std::string& what, const std::string& path) {
  return IoError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "always") return FsyncPolicy::kAlways;
  if (text == "batch") return FsyncPolicy::kBatch;
  if (text == "never") return FsyncPolicy::kNever;
  return InvalidArgument("fsync policy must be always, batch or never, not \"" + std::string(text) +
                         "\"");
}

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kBatch:
      return "batch";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "batch";
}

Status FsyncDirectory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return SyncError("cannot open directory", dir.string());
  if (::fsync(fd.get()) != 0) return SyncError("cannot fsync directory", dir.string());
  return Status::Ok();
}

DeferredSync::DeferredSync(fs::path dir, std::chrono::milliseconds delay)
    : dir_(std::move(dir)), delay_(delay) {}

DeferredSync::~DeferredSync() {
  std::jthread thread;
  {
    MutexLock lock(mu_);
    thread = std::move(thread_);
  }
  if (thread.joinable()) {
    thread.request_stop();
    wake_.notify_all();
    thread.join();
  }
  if (Status s = Flush(); !s.ok())
    GOOSE_LOG(kError) << "sessions not made durable: " << s.message();
}

void DeferredSync::Add() {
  bool first = false;
  {
    MutexLock lock(mu_);
    first = pending_writes_++ == 0;
    if (!thread_.joinable()) {
      thread_ = std::jthread([this](std::stop_token stop) { Loop(std::move(stop)); });
    }
  }
  // Only the first write of a round wakes the syncer; waking it for every
  // write would cost each reply a context switch while the round waits.
  if (first) wake_.notify_all();
}

Status DeferredSync::SyncPendingLocked() {
  uint64_t writes = 0;
  {
    MutexLock lock(mu_);
    writes = std::exchange(pending_writes_, 0);
  }
  if (writes == 0) return Status::Ok();
  Status status;
  UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.valid()) {
    // One call makes every renamed file, and the directory, durable.
    if (::syncfs(fd.get()) != 0) status = SyncError("cannot syncfs", dir_.string());
  } else if (errno != ENOENT) {  // a directory removed meanwhile has nothing to keep
    status = SyncError("cannot open directory", dir_.string());
  }
  MutexLock lock(mu_);
  ++rounds_;
  writes_synced_ += writes;
  return status;
}

Status DeferredSync::Flush() {
  Status status;
  {
    MutexLock round(sync_mu_);
    status = SyncPendingLocked();
  }
  MutexLock lock(mu_);
  if (status.ok() && !background_error_.ok()) status = background_error_;
  background_error_ = Status::Ok();
  return status;
}

uint64_t DeferredSync::rounds() const {
  MutexLock lock(mu_);
  return rounds_;
}

uint64_t DeferredSync::writes_synced() const {
  MutexLock lock(mu_);
  return writes_synced_;
}

// The analysis cannot follow condition_variable_any's unlock/relock.
void DeferredSync::Loop(std::stop_token stop) NO_THREAD_SAFETY_ANALYSIS {
  while (!stop.stop_requested()) {
    {
      std::unique_lock<Mutex> lock(mu_);
      wake_.wait(lock, stop, [this]() NO_THREAD_SAFETY_ANALYSIS { return pending_writes_ > 0; });
      if (stop.stop_requested()) return;  // the destructor flushes
      // Let more writes join this round.
      wake_.wait_for(lock, stop, delay_, [] { return false; });
      if (stop.stop_requested()) return;
    }
    MutexLock round(sync_mu_);
    Status s = SyncPendingLocked();
    if (!s.ok()) {
      GOOSE_LOG(kError) << "background sync of session files failed: " << s.message();
      MutexLock lock(mu_);
      if (background_error_.ok()) background_error_ = s;
    }
  }
}

}  // namespace goose
