// HttpServer: cpp-httplib's server with the three fixes every server of
// this project needs (goose-api, mock-llm, the benchmarks' floor).
//
// cpp-httplib 0.11.4, as Debian ships it, has:
//  - a listen backlog of 5, compiled into the library: a burst of
//    concurrent connects (what the gates and load tests make) overflows the
//    accept queue and clients wait a second for SYN retransmits.
//    WidenBacklog() re-listens on the bound socket with SOMAXCONN (Linux
//    allows raising it that way).
//  - SO_REUSEPORT in its default socket options, which lets a second server
//    bind a port already in use and silently take half its connections.
//    The constructor keeps only SO_REUSEADDR, so a taken port is an error.
//  - a destructor that leaves a bound but never served socket open; ours
//    closes it.
// TCP_NODELAY is set (without it keep-alive requests take ~60 ms each,
// Nagle against delayed ACK).

#ifndef GOOSE_CORE_BASE_HTTP_SERVER_H_
#define GOOSE_CORE_BASE_HTTP_SERVER_H_

#include <httplib.h>

namespace goose {

class HttpServer : public httplib::Server {
 public:
  HttpServer();
  ~HttpServer() override;

  // Call after bind_to_port / bind_to_any_port. False when not bound.
  bool WidenBacklog();
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_HTTP_SERVER_H_
