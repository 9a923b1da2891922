#include "core/base/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/failpoint.h"
#include "core/base/json.h"
#include "core/base/memory_release.h"

namespace goose {
namespace {

using Clock = std::chrono::steady_clock;

// How long, and for how many bytes, a refused request's body is read and
// dropped before the close, so that the client sees the answer rather than
// a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;

// Bodies from this size on are queued whole by the post-routing step
// instead of being written (copied into the queue) by cpp-httplib.
constexpr size_t kStageBodyBytes = 64 * 1024;

// The connection a worker thread is serving now (the pre-routing, head and
// 100-continue callbacks run on that thread, inside process_request).
thread_local HttpConnection* t_current = nullptr;

// Runs cpp-httplib's per-connection task at once on the accept thread: our
// process_and_close_socket only hands the socket to the waiting room.
class InlineTaskQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

// Writes a short complete answer without waiting (the socket is
// non-blocking); best effort, for connections about to be closed.
const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Service Unavailable";
  }
}

void SendAndForget(int fd, int status, const std::string& reason) {
  const std::string body = Json{{"message", reason}, {"status", "error"}}.dump();
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// limits.max_connections, taken as 4x its value under the
// raise_connection_cap failpoint (its canary, docs/reliability.md).
size_t ConnectionCap(const HttpLimits& limits) {
  return RaisedLimit(Failpoint::kRaiseConnectionCap, limits.max_connections);
}

// limits.keep_alive_max_requests, taken as 4x its value under the
// raise_keep_alive_requests failpoint (its canary, docs/reliability.md).
size_t RequestsPerConnection(const HttpLimits& limits) {
  return RaisedLimit(Failpoint::kRaiseKeepAliveRequests, limits.keep_alive_max_requests);
}

}  // namespace

// The waiting room, the workers and their bookkeeping.
class HttpServer::Connections {
  struct Idler;  // a worker waiting for a connection (below)

 public:
  Connections(HttpServer* server, const HttpLimits* limits, AnswerBudget* budget)
      : server_(server),
        limits_(limits),
        budget_(budget),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;  // 0 is the wake event; connection ids start at 1
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
    room_ = std::jthread([this] { RunWaitingRoom(); });
    const int threads = std::max(1, limits_->threads);
    for (int i = 0; i < threads; ++i) idlers_.emplace_back();
    for (Idler& idler : idlers_) {
      workers_.emplace_back([this, &idler] { RunWorker(&idler); });
    }
  }

  ~Connections() { Shutdown(); }

  void Admit(UniqueFd fd) {
    int yes = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto conn = std::make_unique<HttpConnection>(std::move(fd), *limits_, budget_);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    ++stats_.accepted;
    if (open_ >= ConnectionCap(*limits_) && !FailpointOn(Failpoint::kLiftConnectionCap) &&
        !EvictOldestLocked()) {
      ++stats_.refused_full;
      SendAndForget(conn->socket(), 503, "too many connections; try again later");
      return;
    }
    ++open_;
    WaitLocked(std::move(conn), Clock::now() + limits_->RequestTimeout(), Phase::kRequest);
  }

  void SetHeadCheck(HeadCheck check) { head_check_ = std::move(check); }

  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [id, w] : waiting_) CloseLocked(std::move(w.conn));
      waiting_.clear();
      deadlines_.clear();
      for (auto& conn : ready_) CloseLocked(std::move(conn));
      ready_.clear();
    }
    Wake();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (Idler& idler : idlers_) idler.cv.notify_all();
    }
    room_ = std::jthread();
    workers_.clear();  // joins: the requests in flight finish first
  }

  HttpConnectionStats Stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    HttpConnectionStats s = stats_;
    s.open = static_cast<int64_t>(open_);
    s.waiting = static_cast<int64_t>(waiting_.size());
    s.sending = std::count_if(waiting_.begin(), waiting_.end(),
                              [](const auto& e) { return e.second.phase == Phase::kSending; });
    s.answer_bytes_queued = static_cast<int64_t>(budget_->in_use());
    s.answers_refused = budget_->refused();
    return s;
  }

  // Callbacks of cpp-httplib, on the worker serving t_current.
  void OnHead(httplib::Request& req) {
    HttpConnection* conn = t_current;
    if (conn == nullptr) return;
    conn->EndHead();
    if (!head_check_) return;
    std::optional<HttpConnection::Refusal> refusal = head_check_(req);
    if (!refusal) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.refused_by_check;
    }
    conn->refusal() = std::move(refusal);
    conn->close_after = true;
    // cpp-httplib writes "Connection: close" when the request asks for it.
    req.headers.erase("Connection");
    req.headers.emplace("Connection", "close");
  }

  // The post-routing step: a body the handler finished is queued as it is
  // (no copy) to follow the head, instead of being written by the worker.
  void TakeBody(const httplib::Request& req, httplib::Response& res) {
    HttpConnection* conn = t_current;
    // A small body is written by cpp-httplib as it was: the socket takes it
    // at once (nothing queued, nothing allocated), and what it does not
    // take is queued by write() like any other bytes.
    if (conn == nullptr || res.body.size() < kStageBodyBytes || req.method == "HEAD" ||
        FailpointOn(Failpoint::kWriteOnWorker) ||
        res.get_header_value("Content-Length") != std::to_string(res.body.size())) {
      return;
    }
    ByteQueue body;
    const size_t size = res.body.size();
    body.Append(std::move(res.body));
    res.body.clear();
    conn->StageBody(std::move(body), budget_->ChargeAlways(size));
  }

  static bool Refuse(httplib::Response& res) {
    HttpConnection* conn = t_current;
    if (conn == nullptr || !conn->refusal()) return false;
    const HttpConnection::Refusal& r = *conn->refusal();
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
    return true;
  }

 private:
  // What a connection in the waiting room waits for.
  enum class Phase {
    kRequest,   // its next request
    kDraining,  // the end of what a client still sends, read and dropped
    kSending,   // the client to take the rest of its answer
  };
  // What follows an answer once the client has taken all of it.
  enum class After { kClose, kLinger, kKeepAlive };

  struct Waiting {
    std::unique_ptr<HttpConnection> conn;
    Clock::time_point deadline;
    Phase phase = Phase::kRequest;
    size_t drain_budget = 0;      // kDraining
    After after = After::kClose;  // kSending
    bool fresh = true;            // no request served yet
    Idler* last = nullptr;        // the worker that served its last request
  };

  void Wake() {
    const uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof one);
  }

  // REQUIRES: mu_ held. Puts `conn` in the waiting room.
  void WaitLocked(std::unique_ptr<HttpConnection> conn, Clock::time_point deadline, Phase phase,
                  bool fresh = true, Idler* last = nullptr, After after = After::kClose) {
    const uint64_t id = next_id_++;
    epoll_event ev{};
    ev.events = (phase == Phase::kSending ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, conn->socket(), &ev) != 0) {
      CloseLocked(std::move(conn));
      return;
    }
    Waiting w;
    w.conn = std::move(conn);
    w.deadline = deadline;
    w.phase = phase;
    w.drain_budget = phase == Phase::kDraining ? kLingerBytes : 0;
    w.after = after;
    w.fresh = fresh;
    w.last = last;
    deadlines_.emplace(deadline, id);
    waiting_.emplace(id, std::move(w));
    // Data may have arrived before the registration (edge-triggered): check.
    ready_check_.push_back(id);
    Wake();
  }

  // REQUIRES: mu_ held.
  void CloseLocked(std::unique_ptr<HttpConnection> conn) {
    if (conn == nullptr) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, conn->socket(), nullptr);
    conn.reset();
    --open_;
  }

  // REQUIRES: mu_ held. Removes `id` from the room; its connection is returned.
  std::unique_ptr<HttpConnection> TakeLocked(std::map<uint64_t, Waiting>::iterator it) {
    std::unique_ptr<HttpConnection> conn = std::move(it->second.conn);
    deadlines_.erase({it->second.deadline, it->first});
    waiting_.erase(it);
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, conn->socket(), nullptr);
    return conn;
  }

  // REQUIRES: mu_ held. Closes the connection that has waited longest
  // (lingering ones first; never one sending an answer); false when none
  // waits.
  bool EvictOldestLocked() {
    auto phase_is = [](Phase p) { return [p](const auto& e) { return e.second.phase == p; }; };
    auto victim = std::find_if(waiting_.begin(), waiting_.end(), phase_is(Phase::kDraining));
    if (victim == waiting_.end()) {
      victim = std::find_if(waiting_.begin(), waiting_.end(), phase_is(Phase::kRequest));
    }
    if (victim == waiting_.end()) return false;
    if (victim->second.phase == Phase::kRequest) ++stats_.evicted;
    CloseLocked(TakeLocked(victim));
    return true;
  }

  // REQUIRES: mu_ held. Looks at one waiting connection after its socket
  // became readable.
  void CheckLocked(uint64_t id) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    Waiting& w = it->second;
    if (w.phase == Phase::kDraining) {
      if (w.conn->Drain(&w.drain_budget)) CloseLocked(TakeLocked(it));
      return;
    }
    if (w.phase == Phase::kSending) {
      SendLocked(it);
      return;
    }
    switch (w.conn->PeekHead()) {
      case HttpConnection::Head::kComplete: {
        Idler* last = w.last;
        DispatchLocked(TakeLocked(it), last);
        return;
      }
      case HttpConnection::Head::kTooLarge:
        ++stats_.head_too_large;
        SendAndForget(w.conn->socket(), 431, "the request head is larger than the limit");
        CloseLocked(TakeLocked(it));
        return;
      case HttpConnection::Head::kClosed:
        CloseLocked(TakeLocked(it));
        return;
      case HttpConnection::Head::kMalformed: {
        ++stats_.malformed;
        std::unique_ptr<HttpConnection> conn = TakeLocked(it);
        SendAndForget(conn->socket(), 400, conn->framing_error());
        // Linger: what the client sent after the head is read and dropped,
        // so the answer is not lost to a reset.
        conn->StopSending();
        WaitLocked(std::move(conn), Clock::now() + kLingerTime, Phase::kDraining, false);
        return;
      }
      case HttpConnection::Head::kIncomplete:
        if (FailpointOn(Failpoint::kLiftRequestDeadline)) {
          // A timeout per read, as in cpp-httplib: each byte buys more time.
          deadlines_.erase({w.deadline, id});
          w.deadline = Clock::now() + limits_->RequestTimeout();
          deadlines_.emplace(w.deadline, id);
        }
        return;
    }
  }

  // REQUIRES: mu_ held. Sends what the client of a kSending connection
  // takes now; once all is sent, does what follows the answer.
  void SendLocked(std::map<uint64_t, Waiting>::iterator it) {
    Waiting& w = it->second;
    const size_t before = w.conn->queued();
    if (!w.conn->Flush(/*wait=*/false)) {
      CloseLocked(TakeLocked(it));
      return;
    }
    if (w.conn->queued() > 0) {
      if (w.conn->queued() < before) {  // progress: the stall deadline moves on
        deadlines_.erase({w.deadline, it->first});
        w.deadline = w.conn->SendDeadline();
        deadlines_.emplace(w.deadline, it->first);
      }
      return;
    }
    const After after = w.after;
    Idler* last = w.last;
    std::unique_ptr<HttpConnection> conn = TakeLocked(it);
    if (after == After::kKeepAlive) {
      // Its next request may be here already: the room looks at once.
      WaitLocked(std::move(conn), Clock::now() + limits_->keep_alive_timeout, Phase::kRequest,
                 false, last);
      return;
    }
    FinishLocked(std::move(conn), after);
  }

  // REQUIRES: mu_ held. What follows an answer: the connection is closed,
  // or lingers (its client's unread input is read and dropped, so that the
  // answer is not lost to a reset), or is kept for its next request.
  After NextLocked(HttpConnection& conn, bool answered, bool last, bool client_closed) {
    if (stopping_) return After::kClose;
    if (conn.refusal() && answered) return After::kLinger;  // the body was never read
    if (answered && last && !client_closed && conn.HasBytes() &&
        !FailpointOn(Failpoint::kLiftCloseLinger)) {
      // Its last allowed request, with more already sent: linger so the
      // answers in flight arrive (a close with unread input is a reset).
      ++stats_.closed_lingering;
      return After::kLinger;
    }
    if (!answered || client_closed || last || conn.close_after || conn.refusal()) {
      return After::kClose;
    }
    return After::kKeepAlive;
  }

  // REQUIRES: mu_ held; after != kKeepAlive.
  void FinishLocked(std::unique_ptr<HttpConnection> conn, After after) {
    if (after == After::kLinger && !stopping_) {
      conn->StopSending();
      WaitLocked(std::move(conn), Clock::now() + kLingerTime, Phase::kDraining, false);
      return;
    }
    CloseLocked(std::move(conn));
  }

  // REQUIRES: mu_ held. Closes what waited past its deadline; returns the
  // next deadline.
  std::optional<Clock::time_point> ExpireLocked(Clock::time_point now) {
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      auto it = waiting_.find(deadlines_.begin()->second);
      if (it == waiting_.end()) {
        deadlines_.erase(deadlines_.begin());
        continue;
      }
      Waiting& w = it->second;
      if (w.phase == Phase::kSending) {
        ++stats_.answers_cut_off;  // the client did not take its answer in time
      } else if (w.phase == Phase::kRequest && (w.fresh || w.conn->HasBytes())) {
        ++stats_.timed_out;
        SendAndForget(w.conn->socket(), 408, "the request did not arrive in time");
      }
      CloseLocked(TakeLocked(it));
    }
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
  }

  void RunWaitingRoom() {
    std::vector<epoll_event> events(64);
    std::optional<Clock::time_point> next;
    for (;;) {
      int timeout = -1;
      if (next) {
        timeout = static_cast<int>(std::clamp<int64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now()).count() + 1,
            0, 60'000));
      }
      if (release_due_) timeout = std::min(timeout < 0 ? 60'000 : timeout, 260);
      const int n =
          ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout);
      int64_t freed = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        const size_t held = budget_->in_use();
        for (int i = 0; i < n; ++i) {
          if (events[static_cast<size_t>(i)].data.u64 == 0) {
            uint64_t drained;
            (void)::read(wake_.get(), &drained, sizeof drained);
            continue;
          }
          CheckLocked(events[static_cast<size_t>(i)].data.u64);
        }
        std::vector<uint64_t> check;
        check.swap(ready_check_);
        for (uint64_t id : check) CheckLocked(id);
        next = ExpireLocked(Clock::now());
        // What the answers sent or dropped here held (about: workers may
        // charge new ones meanwhile).
        const size_t now_held = budget_->in_use();
        if (held > now_held) freed = static_cast<int64_t>(held - now_held);
      }
      GiveBack(freed);
    }
  }

  // Outside the lock: the answers' memory goes back to the system once
  // enough of it was freed (memory_release.h), and the room wakes up to
  // release what waited for FreedMemory's interval.
  void GiveBack(int64_t freed) {
    FreedMemory& memory = FreedMemory::Process();
    memory.Note(freed);
    if (release_due_ && Clock::now() >= *release_due_) memory.ReleaseIfDue();
    if (!memory.waiting()) {
      release_due_.reset();
    } else if (!release_due_ || Clock::now() >= *release_due_) {
      release_due_ = Clock::now() + std::chrono::milliseconds(260);
    }
  }

  // REQUIRES: mu_ held. Hands a connection whose request head is whole to
  // the worker that went idle last (a stack, not a queue): with few clients
  // the same workers serve every request, so per-thread state (allocator
  // caches, OpenSSL's per-thread random generator) is made by a few threads,
  // not by every one in turn. Queued when every worker is busy.
  // A kept-alive connection goes back to the worker that served it when
  // that one is idle (it made itself idle as it handed the connection
  // back), so one client's requests stay on one thread, as they did when
  // cpp-httplib gave every connection a thread of its own.
  void DispatchLocked(std::unique_ptr<HttpConnection> conn, Idler* last = nullptr) {
    if (idle_.empty()) {
      ready_.push_back(std::move(conn));
      return;
    }
    Idler* idler = idle_.back();
    if (last != nullptr && last->idle) {
      idler = last;
      std::erase(idle_, last);
    } else {
      idle_.pop_back();
    }
    idler->idle = false;
    idler->assigned = std::move(conn);
    idler->cv.notify_one();
  }

  void RunWorker(Idler* self) {
    for (;;) {
      std::unique_ptr<HttpConnection> conn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (self->assigned == nullptr && !ready_.empty()) {
          if (self->idle) std::erase(idle_, self);
          self->idle = false;
          conn = std::move(ready_.front());
          ready_.pop_front();
        } else {
          MakeIdleLocked(self);
          self->cv.wait(lock, [&] { return stopping_ || self->assigned != nullptr; });
          if (self->assigned == nullptr) {
            std::erase(idle_, self);
            self->idle = false;
            return;  // stopping
          }
          conn = std::move(self->assigned);
        }
      }
      Serve(std::move(conn), self);
    }
  }

  // REQUIRES: mu_ held.
  void MakeIdleLocked(Idler* self) {
    if (self->idle || self->assigned != nullptr) return;
    self->idle = true;
    idle_.push_back(self);
  }

  // Answers requests on `conn` while their heads are already here; then
  // puts it back in the waiting room (to send the rest of an answer, or to
  // wait for the next request), or closes it. A client that reads slowly
  // holds its answer's bytes and its socket, never this worker.
  void Serve(std::unique_ptr<HttpConnection> conn, Idler* self) {
    for (;;) {
      conn->BeginRequest(Clock::now());
      bool stopping;
      {
        std::lock_guard<std::mutex> lock(mu_);
        stopping = stopping_;
      }
      const bool last = stopping || conn->requests() >= RequestsPerConnection(*limits_);
      bool client_closed = false;
      t_current = conn.get();
      const bool answered = server_->process_request(
          *conn, last, client_closed, [this](httplib::Request& req) { OnHead(req); });
      t_current = nullptr;
      conn->QueueStagedBody();
      // write_on_worker: this worker waits for the client, as before.
      const bool sent = conn->Flush(/*wait=*/FailpointOn(Failpoint::kWriteOnWorker));
      std::lock_guard<std::mutex> lock(mu_);
      const After after = NextLocked(*conn, answered, last, client_closed);
      if (!sent || (stopping_ && conn->queued() > 0)) {
        CloseLocked(std::move(conn));
        return;
      }
      if (conn->queued() > 0) {
        const Clock::time_point deadline = conn->SendDeadline();
        WaitLocked(std::move(conn), deadline, Phase::kSending, false, self, after);
        return;
      }
      if (after != After::kKeepAlive) {
        FinishLocked(std::move(conn), after);
        return;
      }
      if (conn->PeekHead() == HttpConnection::Head::kComplete) continue;  // pipelined
      // Idle before the connection can come back, so that it comes back here.
      MakeIdleLocked(self);
      WaitLocked(std::move(conn), Clock::now() + limits_->keep_alive_timeout, Phase::kRequest,
                 false, self);
      return;
    }
  }

  HttpServer* const server_;
  const HttpLimits* const limits_;
  AnswerBudget* const budget_;
  const UniqueFd epoll_;
  const UniqueFd wake_;
  HeadCheck head_check_;

  mutable std::mutex mu_;
  // A worker waiting for a connection.
  struct Idler {
    std::condition_variable cv;
    std::unique_ptr<HttpConnection> assigned;
    bool idle = false;  // in idle_
  };
  std::deque<Idler> idlers_;  // one per worker, made before they start
  std::vector<Idler*> idle_;  // waiting now, the last to go idle at the back
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  size_t open_ = 0;
  std::map<uint64_t, Waiting> waiting_;  // by age: smallest id oldest
  std::set<std::pair<Clock::time_point, uint64_t>> deadlines_;
  std::vector<uint64_t> ready_check_;                  // look again without an event
  std::optional<Clock::time_point> release_due_;       // the room thread's only
  std::deque<std::unique_ptr<HttpConnection>> ready_;  // heads whole, for a worker
  HttpConnectionStats stats_;

  // Last: started after, and joined before, everything above.
  std::jthread room_;
  std::vector<std::jthread> workers_;
};

HttpServer::HttpServer(HttpLimits limits, AnswerBudget* budget)
    : limits_(std::move(limits)),
      own_budget_(budget == nullptr ? std::make_unique<AnswerBudget>(0) : nullptr),
      budget_(budget == nullptr ? own_budget_.get() : budget),
      connections_(std::make_unique<Connections>(this, &limits_, budget_)) {
  set_tcp_nodelay(true);
  set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  new_task_queue = [] { return new InlineTaskQueue(); };  // owned by cpp-httplib
  set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    return Connections::Refuse(res) ? HandlerResponse::Handled : HandlerResponse::Unhandled;
  });
  set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    connections_->TakeBody(req, res);
  });
  set_expect_100_continue_handler([](const httplib::Request&, httplib::Response& res) {
    return Connections::Refuse(res) ? res.status : 100;
  });
}

HttpServer::~HttpServer() {
  Shutdown();
  const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
  if (sock != INVALID_SOCKET) ::close(sock);
}

bool HttpServer::WidenBacklog() {
  const socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, SOMAXCONN) == 0;
}

void HttpServer::SetHeadCheck(HeadCheck check) { connections_->SetHeadCheck(std::move(check)); }

void HttpServer::Shutdown() {
  stop();
  connections_->Shutdown();
}

HttpConnectionStats HttpServer::Stats() const { return connections_->Stats(); }

void HttpServer::SetQueuedContent(httplib::Response& res, ByteQueue body,
                                  AnswerBudget::Charge charge, const std::string& content_type) {
  HttpConnection* conn = t_current;
  if (conn == nullptr || FailpointOn(Failpoint::kWriteOnWorker)) {
    res.set_content(body.ToString(), content_type);
    return;
  }
  res.set_header("Content-Type", content_type);
  res.set_header("Content-Length", std::to_string(body.size()));
  conn->StageBody(std::move(body), std::move(charge));
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  connections_->Admit(UniqueFd(sock));
  return true;
}

}  // namespace goose
