// Playing a scripted turn over HTTP: streamed (SseReply) or whole
// (CollectReply).
//
// SseReply drives one streamed answer: it waits out the scripted delays,
// asks its protocol's FrameEncoder for frames and writes them to a
// FrameSink (mock-llm adapts httplib's DataSink). Frames that are ready
// together are coalesced into one write (one TCP send, one wake-up of the
// client): everything due before a scripted wait (a chunk delay, the
// abrupt-close deadline, a stall) or the end is written first, so delays
// and failures at chunk k still land exactly where the script puts them,
// and a batch is written once it reaches kMaxBatchBytes. It delivers the
// scripted failure — an error frame then the end, an abrupt close, a
// missing terminator, a corrupt or duplicated frame, or a stall that writes
// ": keep-alive" comments every keepalive_ms until a write fails because
// the client went away. It accounts for itself in MockStatsRecorder:
// started on construction; on Release(), failed if its scripted failure was
// delivered, completed if it wrote everything including the terminator and
// the transport reported success, cancelled otherwise (the client went away
// or the server stopped).
//
// Every wait ends early when the server's StopSignal fires.
//
// An SseReply is used by one thread at a time (httplib calls the content
// provider and the releaser on the connection's thread).

#ifndef GOOSE_MOCK_PROVIDER_SSE_REPLY_H_
#define GOOSE_MOCK_PROVIDER_SSE_REPLY_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/thread_annotations.h"
#include "mock_provider/mock_stats.h"
#include "mock_provider/script.h"
#include "mock_provider/turn_cursor.h"
#include "mock_provider/wire_protocol.h"

namespace goose::mock {

using SteadyClock = std::chrono::steady_clock;

// Server-wide "we are stopping": wakes every scripted wait at once.
// Thread-safe.
class StopSignal {
 public:
  void Stop();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // Waits until `deadline` (time_point::max(): until Stop()). Returns false
  // when stopped first.
  bool WaitUntil(SteadyClock::time_point deadline) const;

 private:
  std::atomic<bool> stopping_{false};
  mutable Mutex mu_;  // pairs with wake_
  mutable std::condition_variable wake_;
};

// Where SseReply writes: one call per frame batch.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // False when the peer is gone; the reply then stops.
  virtual bool Write(std::string_view bytes) = 0;
  // Ends the response properly (the chunked terminator).
  virtual void Done() = 0;
};

class SseReply {
 public:
  // Frames ready back to back are written together up to this size.
  static constexpr size_t kMaxBatchBytes = 16 << 10;

  // REQUIRES: `turn` belongs to `script`; `stop` and `stats` outlive this.
  SseReply(std::shared_ptr<const Script> script, const ScriptedTurn& turn, uint64_t turn_seed,
           std::unique_ptr<FrameEncoder> encoder, const StopSignal* stop, MockStatsRecorder* stats);
  SseReply(const SseReply&) = delete;
  SseReply& operator=(const SseReply&) = delete;
  // Counts a reply that was never released as cancelled.
  ~SseReply();

  // Writes the whole reply (blocking through the scripted delays). Returns
  // true when the response ended properly (sink.Done() called), false to
  // make the server drop the connection (abrupt close, client gone, stop).
  bool Pump(FrameSink& sink);

  // The transport's verdict (httplib's resource releaser). Idempotent.
  void Release(bool success);

 private:
  // Appends the frame in frame_ to the batch; writes the batch when it is
  // full. False when the peer is gone.
  bool Queue(FrameSink& sink, bool counts_as_chunk);
  // Writes the batch, counting its chunks as consumed once written.
  bool Flush(FrameSink& sink);
  bool WaitBeforeChunk(std::chrono::milliseconds delay);
  bool Stall(FrameSink& sink);

  const std::shared_ptr<const Script> script_;  // keeps turn_ alive
  const ScriptedTurn& turn_;
  TurnCursor cursor_;
  const std::unique_ptr<FrameEncoder> encoder_;
  const StopSignal* const stop_;
  MockStatsRecorder* const stats_;
  const SteadyClock::time_point start_;
  std::optional<SteadyClock::time_point> abrupt_deadline_;
  uint64_t epoch_ = 0;
  std::string frame_;
  std::string batch_;         // frames not yet written
  int64_t batch_chunks_ = 0;  // chunk frames in batch_
  bool failure_delivered_ = false;
  bool finished_ = false;
  bool released_ = false;
};

// A non-streamed turn: the chunks gathered into messages, waiting out the
// scripted delays. `cut_by` is the mid-stream failure that ended it early
// (error_frame, abrupt_close, corrupt_frame, stall), kNone otherwise;
// `stopped` when the server stopped meanwhile.
struct CollectOutcome {
  CollectedReply reply;
  FailureKind cut_by = FailureKind::kNone;
  bool stopped = false;
};
CollectOutcome CollectReply(const ScriptedTurn& turn, uint64_t turn_seed, const StopSignal& stop);

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_SSE_REPLY_H_
