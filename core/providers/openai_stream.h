// OpenAIStream: one streamed chat completion, as a ReplyStream.
//
// cpp-httplib's client blocks, so each stream owns one producer thread (a
// std::jthread) that runs the POST. Its body receiver feeds the bytes to an
// SseParser, each event's data to an OpenAIChunkDecoder, and the items to a
// queue bounded by config.max_buffered_bytes: when the consumer falls
// behind, the producer stops reading the socket (TCP carries the
// backpressure to the server). Next() pops from the queue, waiting on a
// condition variable.
//
//   consumer                         producer thread
//   Next() --pop-- [queue] <--push-- decoder <- SSE parser <- httplib body receiver
//   Cancel() -> flag, wake both sides, InterruptibleConnection::Interrupt()
//
// Cancel() (or the destructor) sets a flag, drops the queued items, wakes
// Next() and breaks the socket through InterruptibleConnection, so a
// producer blocked in connect or in a read of a stalled server returns at
// once; the destructor then joins it. After the destructor nothing of the
// stream is left: no thread, no socket, no buffer, and the ledger's
// kLiveStreams, kStreamBufferedBytes and kProviderConnections are back.
//
// Errors: see openai_errors.h for HTTP answers and openai_http.h for
// transport failures; a frame the parser or decoder rejects is
// kBadResponse; a body that ends without [DONE] is kTransport; no byte for
// idle_timeout or no complete answer within total_timeout is kTimeout. 429
// and 5xx answers are retried (config.max_retries) before any item. Items
// queued before a failure are still delivered, then Next() returns false
// and error() tells why.
//
// After [DONE], Next() ends the stream once the rest of the HTTP body has
// been read (at most config.end_of_body_grace), so the server sees a
// drained stream rather than a client that went away.
//
// Thread safety: as ReplyStream (one consumer; Cancel() from anywhere).

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_STREAM_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_STREAM_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/byte_queue.h"
#include "core/base/thread_annotations.h"
#include "core/model/provider_error.h"
#include "core/model/reply_stream.h"
#include "core/providers/interruptible_connection.h"
#include "core/providers/openai_config.h"

namespace goose {

class OpenAIStream final : public ReplyStream {
 public:
  // Starts the request at once. `request_body` is the chat.completions JSON
  // (with "stream":true).
  OpenAIStream(OpenAIConfig config, ByteQueue request_body);
  // Cancels and joins the producer.
  ~OpenAIStream() override;

  bool Next(StreamItem* item) override;
  const std::optional<ProviderError>& error() const override { return error_; }
  void Cancel() override;

 private:
  class Attempt;  // the HttpResponseSink of one POST

  // Producer thread body: attempts, retries, and the final state.
  void Produce();
  // Producer: queues `items` (cleared) and records the parser's pending
  // bytes; waits while the queue is over its byte cap. False when the
  // stream has stopped (cancelled, failed, timed out).
  bool Publish(std::vector<StreamItem>* items, int64_t pending_bytes) EXCLUDES(mu_);
  // Producer: [DONE] was decoded.
  void FinishReply() EXCLUDES(mu_);
  // Producer: records the first failure and stops.
  void Fail(ProviderError error) EXCLUDES(mu_);
  // Producer: waits `delay` before a retry; false when the stream stopped or
  // the total deadline would pass.
  bool WaitBeforeRetry(std::chrono::milliseconds delay) EXCLUDES(mu_);
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  void SetFailureLocked(ProviderError error) REQUIRES(mu_);
  void UpdateLedgerLocked() REQUIRES(mu_);
  // Consumer: ends the stream with `error` (nullopt: a complete reply).
  bool End(std::optional<ProviderError> error) REQUIRES(mu_);

  const OpenAIConfig config_;
  const ByteQueue request_body_;
  const std::chrono::steady_clock::time_point deadline_;  // total timeout
  InterruptibleConnection connection_;
  // Mirrors "cancelled_ || failure_" for the producer's cheap per-chunk check.
  std::atomic<bool> stopping_{false};

  Mutex mu_;
  std::condition_variable consumer_cv_;  // Next(): items, the end
  std::condition_variable producer_cv_;  // Publish(), retry waits: space, stop
  std::deque<std::pair<StreamItem, int64_t>> queue_ GUARDED_BY(mu_);  // item, its bytes
  int64_t queued_bytes_ GUARDED_BY(mu_) = 0;
  int64_t pending_bytes_ GUARDED_BY(mu_) = 0;  // parser/body buffers of the producer
  bool reply_complete_ GUARDED_BY(mu_) = false;
  bool producer_finished_ GUARDED_BY(mu_) = false;
  bool cancelled_ GUARDED_BY(mu_) = false;
  bool consumer_waiting_ GUARDED_BY(mu_) = false;
  bool producer_waiting_ GUARDED_BY(mu_) = false;
  std::optional<ProviderError> failure_ GUARDED_BY(mu_);

  // Consumer thread only.
  bool ended_ = false;
  std::optional<ProviderError> error_;
  std::optional<std::chrono::steady_clock::time_point> grace_deadline_;

  std::jthread producer_;  // last: started after, and joined before, everything above
};

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_STREAM_H_
