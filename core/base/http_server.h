// HttpServer: cpp-httplib's server with the connection handling every server
// of this project needs (goose-api, mock-llm, the benchmarks' floor).
//
// cpp-httplib parses requests and routes them; this class owns the
// connections, because cpp-httplib 0.11.4 (Debian 12) leaves them unbounded:
// a worker thread per connection for its whole life, a read timeout per
// recv() (a client trickling a byte every few seconds holds a worker
// forever), header lines that grow without limit, chunked and compressed
// request bodies read whole before any length check, and no cap on open
// connections (a flood exhausts the worker pool and then the process's
// file descriptors).
//
// Here every accepted connection first waits in a *waiting room*: one
// thread with epoll that holds the connections whose next request has not
// fully arrived, costing no worker. A connection leaves it when a whole
// request head (line and headers, at most max_header_bytes) has arrived,
// for a worker that parses and answers the request (HttpConnection bounds
// its body and its response by deadlines); a kept-alive connection goes
// back to wait for its next request.
//
// The worker does not wait for the client to read the answer either: what
// the socket does not take at once (a large answer, a slow reader) goes
// back to the waiting room with the connection, which sends it as the
// client takes it, within the write deadlines. A finished body is queued
// as it is (post-routing, no copy); a streamed one is written by its
// handler, which waits only when kStreamQueueBytes are queued. The bytes
// held for clients are charged to an AnswerBudget, which a handler asks
// before it builds a large answer (SetQueuedContent). At the cap of open connections the one
// that has waited longest is closed to make room, so a flood of idle or
// trickling sockets cannot keep out a client that sends its request at once.
//
// A head that breaks RFC 9112's framing (http_framing.h: differing
// Content-Length values, Content-Length with Transfer-Encoding, a folded
// line, a bare LF) is answered 400 by the waiting room itself, before any
// worker parses it. Before a request's body is read, the head check
// (SetHeadCheck) may refuse it with an answer. Either way the connection
// then closes after the answer, lingering briefly so the client reads it.
//
// Pipelined requests are answered in order, one at a time: a connection's
// next request is read only once the previous answer is wholly sent (so at
// most one answer per connection is held in memory), and a client
// that sends faster than it reads is held back by TCP (the server never
// reads ahead). After keep_alive_max_requests the answer says
// "Connection: close" and the connection lingers, reading and dropping
// what the client had already sent, so that the answers in flight arrive
// rather than being lost to a reset; the client sends the rest again on a
// new connection (RFC 9112 section 9.3.2).
//
// The rest of cpp-httplib's own choices are fixed here too:
//  - a listen backlog of 5, compiled into the library: WidenBacklog()
//    re-listens with SOMAXCONN;
//  - SO_REUSEPORT in its default socket options, which lets a second server
//    take half a port's connections: only SO_REUSEADDR is kept;
//  - a destructor that leaves a bound but never served socket open;
//  - TCP_NODELAY on every connection (without it keep-alive requests take
//    ~60 ms each, Nagle against delayed ACK).
//
// Owners call Shutdown() (or let the destructor do it) after the thread
// running listen_after_bind() is told to stop; they must not replace
// new_task_queue, the pre-routing or the 100-continue handler.

#ifndef GOOSE_CORE_BASE_HTTP_SERVER_H_
#define GOOSE_CORE_BASE_HTTP_SERVER_H_

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/base/answer_budget.h"
#include "core/base/byte_queue.h"
#include "core/base/http_connection.h"

namespace goose {

// What HttpServer did with its connections, for /metrics and the tests.
struct HttpConnectionStats {
  int64_t open = 0;                 // open now
  int64_t waiting = 0;              // in the waiting room now
  int64_t accepted = 0;             // since start
  int64_t evicted = 0;              // closed at the cap to make room
  int64_t refused_full = 0;         // answered 503: every connection was busy
  int64_t timed_out = 0;            // request not whole within request_timeout
  int64_t head_too_large = 0;       // answered 431
  int64_t malformed = 0;            // answered 400: the head broke RFC 9112's framing
  int64_t closed_lingering = 0;     // closed after their last request with more unread
  int64_t refused_by_check = 0;     // refused by the head check
  int64_t sending = 0;              // in the waiting room, sending the rest of an answer
  int64_t answers_cut_off = 0;      // closed: the client did not take its answer in time
  int64_t answer_bytes_queued = 0;  // answer bytes held for clients now
  int64_t answers_refused = 0;      // large answers refused: the answer budget was spent
};

class HttpServer : public httplib::Server {
 public:
  // The head check: called with each request's line and headers before its
  // body is read. A refusal is answered as it is and closes the connection.
  using HeadCheck =
      std::function<std::optional<HttpConnection::Refusal>(const httplib::Request& head)>;

  // Answer bytes held for clients are charged to `budget` (which must
  // outlive the server); without one, to an unbounded budget of its own.
  explicit HttpServer(HttpLimits limits = {}, AnswerBudget* budget = nullptr);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Call after bind_to_port / bind_to_any_port. False when not bound.
  bool WidenBacklog();

  // REQUIRES: before the server listens.
  void SetHeadCheck(HeadCheck check);

  // Stops accepting (httplib's stop()), closes the connections waiting for
  // a request, lets the requests in flight finish and joins every thread.
  // Idempotent.
  void Shutdown();

  HttpConnectionStats Stats() const;

  // Answers `res` with `body`, already charged by `charge` (a handler
  // that asked AnswerBudget::TryCharge before building a large answer):
  // queued whole after the head, without a copy. Outside a connection of
  // an HttpServer, `body` is copied into res.body.
  static void SetQueuedContent(httplib::Response& res, ByteQueue body, AnswerBudget::Charge charge,
                               const std::string& content_type);
  const HttpLimits& limits() const { return limits_; }

 private:
  // cpp-httplib calls this for every accepted socket (on its accept thread,
  // through an inline task queue): the socket goes to the waiting room.
  bool process_and_close_socket(socket_t sock) override;

  class Connections;
  const HttpLimits limits_;
  const std::unique_ptr<AnswerBudget> own_budget_;  // when none was given
  AnswerBudget* const budget_;
  std::unique_ptr<Connections> connections_;
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_HTTP_SERVER_H_
