// Drain accounting: what the mock provider knows about its consumers.
//
// A leak gate must prove from the provider's side that a consumer drained
// or abandoned a stream, not take the consumer's word for it. Every stream
// the mock plays (in-process or over HTTP) reports here: it starts, and
// ends exactly once as completed (played to its end and taken whole),
// cancelled (the consumer cancelled, destroyed it or went away first) or
// failed (its scripted failure was delivered). Chunks are counted twice:
// produced when a stream starts (the reply it is scripted to deliver, up to
// its failure point) and consumed when the consumer takes them, so an
// abandoned stream shows produced > consumed.
//
// Like Envoy's fake upstream, this is an API tests call: Snapshot(),
// Reset(), WaitUntil(). Counters are relaxed atomics; a chunk costs one add.
//
// Thread-safe.

#ifndef GOOSE_MOCK_PROVIDER_MOCK_STATS_H_
#define GOOSE_MOCK_PROVIDER_MOCK_STATS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>

#include "core/base/json.h"
#include "core/base/thread_annotations.h"

namespace goose::mock {

// A copy of the counters at one moment.
struct MockStats {
  int64_t streams_started = 0;
  int64_t streams_completed = 0;
  int64_t streams_cancelled = 0;
  int64_t streams_failed = 0;
  int64_t chunks_produced = 0;
  int64_t chunks_consumed = 0;
  int64_t requests = 0;  // every request, streamed or not, valid or not

  // Streams that have not ended yet.
  int64_t streams_live() const {
    return streams_started - streams_completed - streams_cancelled - streams_failed;
  }
  // Every started stream has ended.
  bool Settled() const { return streams_live() == 0; }
  Json ToJson() const;
};

enum class StreamOutcome { kCompleted, kCancelled, kFailed };

class MockStatsRecorder {
 public:
  MockStatsRecorder() = default;
  MockStatsRecorder(const MockStatsRecorder&) = delete;
  MockStatsRecorder& operator=(const MockStatsRecorder&) = delete;

  MockStats Snapshot() const;

  // Zeroes every counter. Streams that started before the reset are not
  // counted after it (their end and their chunks belong to the old epoch).
  void Reset();

  // Waits until `done(Snapshot())` holds or `timeout` passes; returns the
  // last answer of `done`. Woken by every stream start and end; chunk
  // counts are re-checked at least every 10 ms.
  bool WaitUntil(const std::function<bool(const MockStats&)>& done,
                 std::chrono::milliseconds timeout) const;
  // WaitUntil every started stream has ended.
  bool WaitUntilSettled(std::chrono::milliseconds timeout) const;

  // For the players. StreamStarted returns the epoch the stream belongs to;
  // pass it back to the other calls.
  void RequestSeen() { requests_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t StreamStarted(int64_t planned_chunks);
  void ChunksConsumed(uint64_t epoch, int64_t n) {
    if (epoch == epoch_.load(std::memory_order_relaxed)) {
      chunks_consumed_.fetch_add(n, std::memory_order_relaxed);
    }
  }
  void StreamEnded(uint64_t epoch, StreamOutcome outcome);

 private:
  void Notify();

  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> started_{0};
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> cancelled_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> chunks_produced_{0};
  std::atomic<int64_t> chunks_consumed_{0};
  std::atomic<int64_t> requests_{0};

  mutable Mutex mu_;  // pairs with changed_ so a waiter cannot miss a wake-up
  mutable std::condition_variable changed_;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_MOCK_STATS_H_
