// RawHttp: an HTTP/1.1 client on a bare loopback socket, for the clients a
// well-behaved library cannot be: ones that send a byte at a time, stop in
// the middle of a request, or vanish before reading the reply.
//
// One UniqueFd owns the socket. Every read waits at most the given timeout
// (poll), so a test can never hang on a server that does not answer.

#ifndef GOOSE_HARDENING_RAW_HTTP_H_
#define GOOSE_HARDENING_RAW_HTTP_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/json.h"
#include "core/base/unique_fd.h"

namespace goose::hardening {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; valid() is false when that fails.
  explicit RawConnection(int port);

  bool valid() const { return fd_.valid(); }
  // Sends all of `bytes`; false when the peer closed.
  bool Send(std::string_view bytes);
  // Reads until the peer closes or `timeout` passes; returns what came.
  // *closed tells which (true: the server closed the connection).
  std::string ReadUntilClosed(std::chrono::milliseconds timeout, bool* closed);
  // Resets the connection (SO_LINGER 0: RST, no FIN) and releases the fd.
  void Abort();
  // Closes normally.
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
};

// A whole request: method, path, optional x-api-key, JSON body.
std::string HttpRequest(std::string_view method, std::string_view path,
                        const std::optional<std::string>& key, std::string_view body);

struct HttpReply {
  int status = -1;  // -1: no status line came
  std::string body;
};
// Parses the status line and body of a Connection: close reply.
HttpReply ParseReply(const std::string& bytes);

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_RAW_HTTP_H_
