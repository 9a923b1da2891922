// Raw TCP to a server on this machine: one copy of the connect and send
// loops the clients that speak bytes rather than HTTP through a library use
// (the hostile kit, the hardening tests' raw HTTP, the disconnecting
// client of the leak gates).

#ifndef GOOSE_CORE_BASE_LOOPBACK_H_
#define GOOSE_CORE_BASE_LOOPBACK_H_

#include <string_view>

#include "core/base/status.h"
#include "core/base/unique_fd.h"

namespace goose {

// A blocking TCP connection to 127.0.0.1:`port`, close-on-exec, with
// TCP_NODELAY on (a request written in pieces goes out in pieces). Errors
// (IoError) name the address. A `receive_buffer` (bytes, set before the
// connect so that the window the server sees stays small) makes a client
// that reads slowly. `no_delay` false leaves Nagle's algorithm on (the
// leak gates' disconnecting client, whose timing the gate's figures were
// measured with).
Result<UniqueFd> ConnectLoopback(int port, int receive_buffer = 0, bool no_delay = true);

// Sends all of `bytes` on the blocking socket `fd`, retrying after a
// signal; false when the peer is gone or the socket fails. Never raises
// SIGPIPE.
bool SendAll(int fd, std::string_view bytes);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_LOOPBACK_H_
