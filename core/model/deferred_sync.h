// DeferredSync: making renamed session files durable off the request path,
// many writes per fsync round.
//
// SessionStore writes a session atomically (temp file, rename) on the
// request path; that alone keeps a crashed or killed process from ever
// leaving a torn file, and the renamed file is in the page cache, visible
// to every reader at once. What a sync adds is survival of a power loss.
// With the `batch` policy the store tells a DeferredSync after each rename
// (or unlink); its thread waits `delay` after the first such write (so one
// burst of replies costs one round), then runs one round: syncfs(2) on the
// directory's filesystem, which writes back every file renamed into the
// directory and the directory itself (and anything else dirty on that
// filesystem). Keeping no per-file state means a write allocates nothing
// here, so the leak gates' heap counts do not move with the write rate.
// Destruction runs a last round if writes are pending, then joins.
//
// Failures of a background round cannot reach the request that wrote the
// file (it has been answered); they are logged and returned by the next
// Flush().
//
// Thread-safe. The thread starts with the first Add.

#ifndef GOOSE_CORE_MODEL_DEFERRED_SYNC_H_
#define GOOSE_CORE_MODEL_DEFERRED_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <thread>

#include "core/base/status.h"
#include "core/base/thread_annotations.h"

namespace goose {

// How SessionStore makes its writes durable (GOOSE_API_FSYNC).
enum class FsyncPolicy {
  kAlways,  // fsync the temp file before the rename and the directory after, on every write
  kBatch,   // rename on the request path; a DeferredSync syncs soon after (default)
  kNever,   // rename only: safe against crashes of the process, not against power loss
};

// "always" | "batch" | "never"; InvalidArgument naming the text otherwise.
Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text);
std::string_view FsyncPolicyName(FsyncPolicy policy);

// fsyncs the directory `dir` (makes a rename or unlink in it durable).
Status FsyncDirectory(const std::filesystem::path& dir);

class DeferredSync {
 public:
  // `dir` is the directory the files are renamed into; `delay` how long a
  // write may wait for more writes to join its round.
  DeferredSync(std::filesystem::path dir, std::chrono::milliseconds delay);
  // Runs a last round if writes are pending and joins the thread.
  ~DeferredSync();
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

  // Records that a file was renamed into (or removed from) the directory:
  // the next round makes it durable. Never blocks on I/O; allocates nothing
  // after the first call.
  void Add() EXCLUDES(mu_);

  // Makes every write added before the call durable, in the caller's thread
  // (waiting for a round the thread is running). Returns the first error of
  // this call or of a background round since the last Flush.
  Status Flush() EXCLUDES(mu_, sync_mu_);

  // Rounds run so far, and the writes they covered (for tests and
  // benchmarks: many writes, few rounds).
  uint64_t rounds() const EXCLUDES(mu_);
  uint64_t writes_synced() const EXCLUDES(mu_);

 private:
  void Loop(std::stop_token stop);
  // Runs a round if writes are pending. REQUIRES: sync_mu_ held.
  Status SyncPendingLocked() REQUIRES(sync_mu_) EXCLUDES(mu_);

  const std::filesystem::path dir_;
  const std::chrono::milliseconds delay_;

  // Held for a whole round, so Flush waits for a round already running.
  Mutex sync_mu_;  // taken before mu_, never while holding it
  mutable Mutex mu_;
  uint64_t pending_writes_ GUARDED_BY(mu_) = 0;
  Status background_error_ GUARDED_BY(mu_);
  uint64_t rounds_ GUARDED_BY(mu_) = 0;
  uint64_t writes_synced_ GUARDED_BY(mu_) = 0;
  std::condition_variable_any wake_;
  std::jthread thread_ GUARDED_BY(mu_);
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_DEFERRED_SYNC_H_
