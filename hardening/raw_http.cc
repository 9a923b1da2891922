#include "hardening/raw_http.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/base/loopback.h"

namespace goose::hardening {

RawConnection::RawConnection(int port) {
  if (Result<UniqueFd> fd = ConnectLoopback(port); fd.ok()) fd_ = std::move(*fd);
}

bool RawConnection::Send(std::string_view bytes) { return SendAll(fd_.get(), bytes); }

std::string RawConnection::ReadUntilClosed(std::chrono::milliseconds timeout, bool* closed) {
  std::string out;
  *closed = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    pollfd p{fd_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return out;
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *closed = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

void RawConnection::Abort() {
  linger l{1, 0};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd_.Reset();
}

std::string HttpRequest(std::string_view method, std::string_view path,
                        const std::optional<std::string>& key, std::string_view body) {
  std::string r = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
  r += "Host: 127.0.0.1\r\nConnection: close\r\n";
  if (key) r += "x-api-key: " + *key + "\r\n";
  if (!body.empty() || method == "POST") {
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += "\r\n";
  r += body;
  return r;
}

HttpReply ParseReply(const std::string& bytes) {
  HttpReply reply;
  if (bytes.rfind("HTTP/1.1 ", 0) != 0 || bytes.size() < 12) return reply;
  reply.status = std::atoi(bytes.c_str() + 9);
  size_t body = bytes.find("\r\n\r\n");
  if (body != std::string::npos) reply.body = bytes.substr(body + 4);
  return reply;
}

}  // namespace goose::hardening
