// HttpConnection: one accepted client socket as a cpp-httplib Stream whose
// every read and write is bounded.
//
// cpp-httplib 0.11.4 (Debian 12) bounds a client only per recv(): a client
// that trickles a byte every few seconds holds its worker thread forever,
// and a header line without end grows in memory without limit. Here:
//  - a request (line, headers and body) must arrive within its read
//    deadline, set by BeginRequest; a read past it fails;
//  - the head (line and headers) may not exceed max_header_bytes;
//  - a response must be taken by the client within its write deadline:
//    no write may stall longer than write_stall_timeout, and the whole
//    response may take response_timeout (when not zero);
//  - a response is queued, not waited for: what the socket does not take
//    at once stays in the connection's queue (charged to the server's
//    AnswerBudget) for the waiting room to send as the client reads. A
//    body the handler finished is queued whole, without a copy
//    (StageBody); a response written piece by piece (a stream) is held
//    back once kStreamQueueBytes are queued: its writer waits for the
//    client, so a stream never outruns its reader by more than that;
//  - bytes read from the socket beyond what cpp-httplib asked for (the
//    start of a pipelined request) stay in the connection for the next
//    request.
//
// Not thread-safe: one thread at a time (the waiting room or one worker)
// has the connection.

#ifndef GOOSE_CORE_BASE_HTTP_CONNECTION_H_
#define GOOSE_CORE_BASE_HTTP_CONNECTION_H_

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/base/answer_budget.h"
#include "core/base/byte_queue.h"
#include "core/base/resource_ledger.h"
#include "core/base/unique_fd.h"

namespace goose {

// Every bound of HttpServer; goose-api's settings (GOOSE_API_*) set them.
struct HttpLimits {
  // Open client connections at most. At the cap, the connection that has
  // waited longest for a request is closed to make room; when every one is
  // busy with a request, the newcomer is answered 503 and closed.
  size_t max_connections = 256;
  // A request's line and headers together.
  size_t max_header_bytes = 64 * 1024;
  // A whole request (line, headers, body) must arrive within this, counted
  // from the connection's first byte or from the end of the previous
  // response on a kept-alive connection.
  std::chrono::milliseconds request_timeout{10'000};
  // request_timeout as every reader applies it: taken as 4x its value under
  // the raise_request_deadline failpoint (its canary, docs/reliability.md).
  std::chrono::milliseconds RequestTimeout() const;
  // No write of a response may wait longer than this for the client.
  std::chrono::milliseconds write_stall_timeout{10'000};
  // A whole response must be sent within this; zero means no bound (the
  // mock provider's long streams).
  std::chrono::milliseconds response_timeout{0};
  // An idle kept-alive connection is closed after this.
  std::chrono::milliseconds keep_alive_timeout{5'000};
  // Requests served on one connection at most.
  size_t keep_alive_max_requests = 1000;
  // Worker threads: requests handled at once.
  int threads = 16;
};

// Queued bytes at which a streamed response's writer waits for its client.
inline constexpr size_t kStreamQueueBytes = 256 * 1024;

class HttpConnection final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes the socket; makes it non-blocking and close-on-exec. Queued
  // bytes are charged to `budget`, which must outlive the connection.
  HttpConnection(UniqueFd fd, const HttpLimits& limits, AnswerBudget* budget);
  ~HttpConnection() override = default;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // httplib::Stream. read() and write() return -1 past their deadlines, on
  // an error, or when the head outgrows max_header_bytes.
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_.get(); }

  // What has arrived of the next request's head, without consuming it.
  // kMalformed: the head breaks RFC 9112's framing (http_framing.h), said
  // in framing_error(); a bare LF is found before the head is whole.
  enum class Head { kComplete, kIncomplete, kTooLarge, kClosed, kMalformed };
  Head PeekHead();
  // Why the last PeekHead() was kMalformed.
  const std::string& framing_error() const { return framing_error_; }

  // Whether any byte of a next request has arrived.
  bool HasBytes() const;

  // Starts a request: its reads must end by `now + request_timeout`.
  void BeginRequest(Clock::time_point now);
  // The head was parsed; the rest is the body.
  void EndHead() { in_head_ = false; }
  // Requests begun on this connection.
  size_t requests() const { return requests_; }

  // After a refused request whose body was never read: stops sending, so
  // the client sees the answer before the close. Then Drain() discards what
  // the client still sends, at most `budget` bytes in all; true once the
  // client has finished (end of stream) or the budget is spent.
  void StopSending();
  bool Drain(size_t* budget);

  // A whole body, to follow the head cpp-httplib is about to write (the
  // server's post-routing step); queued by QueueStagedBody().
  void StageBody(ByteQueue body, AnswerBudget::Charge charge);
  void QueueStagedBody();
  // Bytes of the response the client has not taken yet.
  size_t queued() const { return out_.size(); }
  // Sends what is queued: without waiting (false only on an error), or,
  // when `wait`, all of it within the write deadline (false past it).
  bool Flush(bool wait);
  // When the client must have taken the next bytes: now plus
  // write_stall_timeout, or the response's deadline when sooner.
  Clock::time_point SendDeadline() const { return WriteDeadline(); }

  // Per-request state the server's callbacks share (one thread at a time).
  struct Refusal {
    int status = 0;
    std::string body;
    std::string content_type;
  };
  std::optional<Refusal>& refusal() { return refusal_; }
  // Set when the connection must close after this response.
  bool close_after = false;

 private:
  // First member: counted out after everything below is closed.
  LedgerEntry counted_{Gauge::kHttpConnections};

  // Waits until the socket is readable (writable) or `deadline` passes.
  bool WaitFor(short events, Clock::time_point deadline) const;
  Clock::time_point WriteDeadline() const;
  // limits_.max_header_bytes, taken as 4x its value under the
  // raise_head_bytes failpoint (its canary, docs/reliability.md).
  size_t HeadLimit() const;
  // kMalformed (framing_error_ set) when `head` breaks the framing rules,
  // else `otherwise`.
  Head Framed(std::string_view head, Head otherwise);

  // Sends the front of out_ until at most `keep` bytes are left; waits for
  // the client when `wait`. False on an error or past the deadline.
  bool SendQueued(size_t keep, bool wait);

  UniqueFd fd_;
  const HttpLimits& limits_;
  ByteQueue out_;                    // the response's bytes not yet sent
  AnswerBudget::Charge out_charge_;  // out_'s bytes, charged
  ByteQueue staged_;                 // a finished body, after the head
  AnswerBudget::Charge staged_charge_;
  std::string pending_;        // read from the socket, not yet consumed
  size_t pending_offset_ = 0;  // consumed prefix of pending_
  Clock::time_point read_deadline_{};
  std::optional<Clock::time_point> response_deadline_;
  bool in_head_ = false;
  size_t head_bytes_ = 0;
  size_t requests_ = 0;
  std::optional<Refusal> refusal_;
  std::string framing_error_;  // of the last kMalformed head
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_HTTP_CONNECTION_H_
