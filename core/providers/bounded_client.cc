#include "core/providers/bounded_client.h"

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "core/base/failpoint.h"

namespace goose {
namespace {

// Waits for `events` on `sock` up to `timeout_ms`; true when ready.
bool Ready(int sock, short events, int64_t timeout_ms) {
  for (;;) {
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(timeout_ms, 1 << 30)));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

int64_t Millis(time_t sec, time_t usec) {
  return static_cast<int64_t>(sec) * 1000 + static_cast<int64_t>(usec) / 1000;
}

// The stream both clients read answers through: cpp-httplib's socket or
// TLS stream, with the head counted.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int sock, SSL* ssl, int64_t read_ms, int64_t write_ms, HeadBound* bound)
      : sock_(sock), ssl_(ssl), read_ms_(read_ms), write_ms_(write_ms), bound_(bound) {
    if (ssl_ != nullptr) SSL_clear_mode(ssl_, SSL_MODE_AUTO_RETRY);
  }

  bool is_readable() const override {
    return buffered_ < filled_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0) ||
           Ready(sock_, POLLIN, read_ms_);
  }
  bool is_writable() const override { return Ready(sock_, POLLOUT, write_ms_); }

  // cpp-httplib reads heads and chunk sizes a byte at a time: reads are
  // served from a buffer refilled a block at a time, as its own stream does.
  ssize_t read(char* ptr, size_t size) override {
    if (buffered_ == filled_) {
      const ssize_t n =
          ssl_ != nullptr ? ReadTls(buffer_, sizeof buffer_) : ReadPlain(buffer_, sizeof buffer_);
      if (n <= 0) return n;
      buffered_ = 0;
      filled_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, filled_ - buffered_);
    std::memcpy(ptr, buffer_ + buffered_, n);
    buffered_ += n;
    if (!bound_->Count(ptr, n)) return -1;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (ssl_ == nullptr) {
      for (;;) {
        if (!is_writable()) return -1;
        const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        return n;
      }
    }
    const int len = static_cast<int>(std::min<size_t>(size, std::numeric_limits<int>::max()));
    for (int tries = 0; tries < 1000; ++tries) {
      if (!is_writable()) return -1;
      const int n = SSL_write(ssl_, ptr, len);
      if (n >= 0) return n;
      if (SSL_get_error(ssl_, n) != SSL_ERROR_WANT_WRITE) return n;
    }
    return -1;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    (void)ip;
    (void)port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    (void)ip;
    (void)port;
  }
  socket_t socket() const override { return sock_; }

 private:
  ssize_t ReadPlain(char* ptr, size_t size) {
    for (;;) {
      if (!is_readable()) return -1;
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  ssize_t ReadTls(char* ptr, size_t size) {
    const int len = static_cast<int>(std::min<size_t>(size, std::numeric_limits<int>::max()));
    for (int tries = 0; tries < 1000; ++tries) {
      if (SSL_pending(ssl_) <= 0 && !is_readable()) return -1;
      const int n = SSL_read(ssl_, ptr, len);
      if (n >= 0) return n;
      if (SSL_get_error(ssl_, n) != SSL_ERROR_WANT_READ) return n;
    }
    return -1;
  }

  char buffer_[16 * 1024];
  size_t buffered_ = 0;  // consumed part of buffer_
  size_t filled_ = 0;
  const int sock_;
  SSL* const ssl_;
  const int64_t read_ms_;
  const int64_t write_ms_;
  HeadBound* const bound_;
};

class BoundedHttpClient final : public httplib::ClientImpl {
 public:
  BoundedHttpClient(const std::string& host, int port, HeadBound* bound)
      : ClientImpl(host, port), bound_(bound) {}

 private:
  bool process_socket(const Socket& socket,
                      std::function<bool(httplib::Stream& strm)> callback) override {
    BoundedStream stream(socket.sock, nullptr, Millis(read_timeout_sec_, read_timeout_usec_),
                         Millis(write_timeout_sec_, write_timeout_usec_), bound_);
    return callback(stream);
  }

  HeadBound* const bound_;
};

class BoundedHttpsClient final : public httplib::SSLClient {
 public:
  BoundedHttpsClient(const std::string& host, int port, HeadBound* bound)
      : SSLClient(host, port), bound_(bound) {}

 private:
  bool process_socket(const Socket& socket,
                      std::function<bool(httplib::Stream& strm)> callback) override {
    BoundedStream stream(socket.sock, socket.ssl, Millis(read_timeout_sec_, read_timeout_usec_),
                         Millis(write_timeout_sec_, write_timeout_usec_), bound_);
    return callback(stream);
  }

  HeadBound* const bound_;
};

}  // namespace

bool HeadBound::Count(const char* bytes, size_t n) {
  if (head_done || FailpointOn(Failpoint::kLiftProviderHead)) return true;
  static constexpr char kEnd[] = "\r\n\r\n";
  for (size_t i = 0; i < n; ++i) {
    ++head_bytes;
    matched = bytes[i] == kEnd[matched] ? matched + 1 : (bytes[i] == '\r' ? 1 : 0);
    if (matched == 4) {
      head_done = true;
      return true;
    }
    if (head_bytes > max_head_bytes) {
      too_large = true;
      return false;
    }
  }
  return true;
}

std::unique_ptr<httplib::ClientImpl> MakeBoundedClient(const std::string& scheme,
                                                       const std::string& host, int port,
                                                       HeadBound* bound) {
  if (scheme == "https") return std::make_unique<BoundedHttpsClient>(host, port, bound);
  return std::make_unique<BoundedHttpClient>(host, port, bound);
}

}  // namespace goose
