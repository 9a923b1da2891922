#include "core/base/http_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/failpoint.h"
#include "core/base/http_framing.h"

namespace goose {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr std::string_view kHeadEnd = "\r\n\r\n";

int MillisUntil(HttpConnection::Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - HttpConnection::Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

}  // namespace

std::chrono::milliseconds HttpLimits::RequestTimeout() const {
  return RaisedLimit(Failpoint::kRaiseRequestDeadline, request_timeout);
}

HttpConnection::HttpConnection(UniqueFd fd, const HttpLimits& limits, AnswerBudget* budget)
    : fd_(std::move(fd)), limits_(limits), out_charge_(budget->ChargeAlways(0)) {
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
  ::fcntl(fd_.get(), F_SETFD, FD_CLOEXEC);
}

size_t HttpConnection::HeadLimit() const {
  return RaisedLimit(Failpoint::kRaiseHeadBytes, limits_.max_header_bytes);
}

bool HttpConnection::WaitFor(short events, Clock::time_point deadline) const {
  for (;;) {
    pollfd p{fd_.get(), events, 0};
    const int n = ::poll(&p, 1, MillisUntil(deadline));
    if (n > 0) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && Clock::now() < deadline) continue;  // poll's wait is capped at 60 s
    return false;
  }
}

bool HttpConnection::is_readable() const {
  if (pending_offset_ < pending_.size()) return true;
  return WaitFor(POLLIN, read_deadline_);
}

bool HttpConnection::is_writable() const {
  // Room in the queue: a writer may go on (write() holds it back past it).
  return out_.size() < kStreamQueueBytes || WaitFor(POLLOUT, WriteDeadline());
}

ssize_t HttpConnection::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (pending_offset_ == pending_.size()) {
    pending_.clear();
    pending_offset_ = 0;
    char buf[kReadChunk];
    for (;;) {
      if (FailpointOn(Failpoint::kLiftRequestDeadline)) {
        read_deadline_ = Clock::now() + limits_.RequestTimeout();  // a timeout per read
      }
      if (Clock::now() >= read_deadline_) return -1;  // the whole request is late
      const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        pending_.assign(buf, static_cast<size_t>(n));
        break;
      }
      if (n == 0) return 0;  // end of stream
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitFor(POLLIN, read_deadline_)) return -1;
    }
  }
  const size_t n = std::min(size, pending_.size() - pending_offset_);
  if (in_head_ && !FailpointOn(Failpoint::kLiftHeadLimit)) {
    head_bytes_ += n;
    if (head_bytes_ > HeadLimit()) return -1;
  }
  std::memcpy(ptr, pending_.data() + pending_offset_, n);
  pending_offset_ += n;
  return static_cast<ssize_t>(n);
}

HttpConnection::Clock::time_point HttpConnection::WriteDeadline() const {
  const Clock::time_point stall = Clock::now() + limits_.write_stall_timeout;
  return response_deadline_ ? std::min(stall, *response_deadline_) : stall;
}

ssize_t HttpConnection::write(const char* ptr, size_t size) {
  if (!response_deadline_ && limits_.response_timeout.count() > 0) {
    response_deadline_ = Clock::now() + limits_.response_timeout;
  }
  size_t done = 0;
  while (out_.empty() && done < size) {  // nothing ahead of these bytes: send at once
    const ssize_t n = ::send(fd_.get(), ptr + done, size - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      break;
    }
  }
  if (done < size) {
    out_.Append(std::string_view(ptr + done, size - done));
    out_charge_.Set(out_.bytes_held());
  }
  // write_on_worker: the writer waits until the client has taken it all,
  // as cpp-httplib does; else only a stream that outruns its reader waits.
  const size_t keep = FailpointOn(Failpoint::kWriteOnWorker) ? 0 : kStreamQueueBytes;
  if (out_.size() > keep && !SendQueued(keep, /*wait=*/true)) return -1;
  return static_cast<ssize_t>(size);
}

bool HttpConnection::SendQueued(size_t keep, bool wait) {
  bool ok = true;
  while (out_.size() > keep) {
    iovec vecs[16];
    msghdr msg{};
    msg.msg_iov = vecs;
    msg.msg_iovlen = static_cast<size_t>(out_.Gather(vecs, 16));
    const ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_.Consume(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ok = false;
      break;
    }
    if (!wait) break;
    if (!WaitFor(POLLOUT, WriteDeadline())) {
      ok = false;
      break;
    }
  }
  out_charge_.Set(out_.bytes_held());
  return ok;
}

bool HttpConnection::Flush(bool wait) { return SendQueued(0, wait); }

void HttpConnection::StageBody(ByteQueue body, AnswerBudget::Charge charge) {
  staged_ = std::move(body);
  staged_charge_ = std::move(charge);
  staged_charge_.Set(staged_.bytes_held());
}

void HttpConnection::QueueStagedBody() {
  if (staged_.empty()) return;
  out_.Append(std::move(staged_));
  out_charge_.Set(out_.bytes_held());
  staged_charge_.Set(0);
}

void HttpConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, ip, port);
  }
}

void HttpConnection::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, ip, port);
  }
}

HttpConnection::Head HttpConnection::PeekHead() {
  if (FailpointOn(Failpoint::kLiftHeadLimit)) {
    // Any byte goes to a worker at once, as in cpp-httplib itself.
    if (HasBytes()) return Head::kComplete;
    char byte;
    return ::recv(fd_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0 ? Head::kClosed
                                                                     : Head::kIncomplete;
  }
  const std::string_view have = std::string_view(pending_).substr(pending_offset_);
  if (const size_t end = have.find(kHeadEnd); end != std::string_view::npos) {
    return Framed(have.substr(0, end + kHeadEnd.size()), Head::kComplete);
  }
  // What the kernel holds beyond `have`, without taking it: the head is
  // judged whole before any worker reads it. A small look first (heads are
  // small), the whole allowance only for a large one.
  const size_t want = HeadLimit() + kHeadEnd.size();
  char small[8 * 1024];
  std::string large;
  for (int pass = 0; pass < 2; ++pass) {
    char* buf = small;
    size_t room = std::min(sizeof small, want);
    if (pass == 1) {
      large.resize(want);
      buf = large.data();
      room = want;
    }
    const size_t had = std::min(have.size(), room);
    std::memcpy(buf, have.data(), had);
    ssize_t n = 0;
    if (had < room) {
      do {
        n = ::recv(fd_.get(), buf + had, room - had, MSG_PEEK);
      } while (n < 0 && errno == EINTR);
      if (n == 0) return had == 0 ? Head::kClosed : Head::kIncomplete;
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) return Head::kClosed;
        n = 0;
      }
    }
    const std::string_view seen(buf, had + static_cast<size_t>(n));
    const size_t end = seen.find(kHeadEnd);
    if (end != std::string_view::npos) {
      if (end > HeadLimit()) return Head::kTooLarge;
      return Framed(seen.substr(0, end + kHeadEnd.size()), Head::kComplete);
    }
    // A bare LF is refused at once: a CRLF will not come.
    if (Framed(seen, Head::kIncomplete) == Head::kMalformed) return Head::kMalformed;
    if (seen.size() < room) return Head::kIncomplete;  // all there is, and no end yet
    if (room >= want) return Head::kTooLarge;
  }
  return Head::kIncomplete;
}

HttpConnection::Head HttpConnection::Framed(std::string_view head, Head otherwise) {
  if (FailpointOn(Failpoint::kLiftRequestFraming)) return otherwise;
  std::optional<std::string> error = HeadFramingError(head);
  if (!error) return otherwise;
  framing_error_ = std::move(*error);
  return Head::kMalformed;
}

bool HttpConnection::HasBytes() const {
  if (pending_offset_ < pending_.size()) return true;
  char byte;
  return ::recv(fd_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void HttpConnection::BeginRequest(Clock::time_point now) {
  read_deadline_ = now + limits_.RequestTimeout();
  response_deadline_.reset();
  in_head_ = true;
  head_bytes_ = 0;
  refusal_.reset();
  close_after = false;
  ++requests_;
}

void HttpConnection::StopSending() { ::shutdown(fd_.get(), SHUT_WR); }

bool HttpConnection::Drain(size_t* budget) {
  pending_.clear();
  pending_offset_ = 0;
  char buf[kReadChunk];
  while (*budget > 0) {
    const ssize_t n = ::recv(fd_.get(), buf, std::min(sizeof buf, *budget), 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno != EAGAIN && errno != EWOULDBLOCK;  // an error ends it too
    }
    *budget -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace goose
