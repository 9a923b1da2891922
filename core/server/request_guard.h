// RequestGuard: refuses what a web page could make a browser send.
//
// A browser on the same machine can reach a loopback server: a page may
// POST to it without a CORS preflight (a "simple" request: text/plain, no
// custom headers), and with DNS rebinding a page under its own name can
// read the answers too. Three checks, before the key and before the body,
// in every mode (with a key or open):
//
//   Host          an IP address, "localhost" (or a name under .localhost),
//                 the address the server listens on, or a name listed in
//                 GOOSE_API_ALLOWED_HOSTS; any other name is a rebinding
//                 page's: 403. (An absent Host, from an HTTP/1.0 client,
//                 passes: browsers always send one.)
//   Origin        when sent, it must be the server's own origin (its
//                 authority equal to Host): a cross-origin page's request
//                 is refused, 403; "null" too.
//   Content-Type  a POST, PUT or PATCH must say application/json (a
//                 charset parameter is fine), which a page cannot send
//                 without a preflight: else 415.
//
// Thread-safe: immutable after construction.

#ifndef GOOSE_CORE_SERVER_REQUEST_GUARD_H_
#define GOOSE_CORE_SERVER_REQUEST_GUARD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/server/api_routes.h"

namespace goose {

struct RequestGuardOptions {
  // The address the server listens on (a name here is allowed as Host).
  std::string listen_host = "127.0.0.1";
  // More names clients use to reach the server (GOOSE_API_ALLOWED_HOSTS);
  // "*" allows every name.
  std::vector<std::string> allowed_hosts;
};

// The headers the guard reads; nullopt when absent.
struct GuardedHead {
  std::string_view method;
  std::optional<std::string> host;
  std::optional<std::string> origin;
  std::optional<std::string> content_type;
};

class RequestGuard {
 public:
  explicit RequestGuard(RequestGuardOptions options);

  // Host and Origin: nullopt when the sender may be answered; otherwise
  // the refusal (403).
  std::optional<ApiResponse> CheckSender(const GuardedHead& head) const;
  // Content-Type of a request with a body: nullopt when JSON; otherwise 415.
  std::optional<ApiResponse> CheckBodyType(const GuardedHead& head) const;

  // Whether `authority` ("name", "name:port", "[v6]:port") names a host
  // this server answers for.
  bool AllowsHost(std::string_view authority) const;

 private:
  RequestGuardOptions options_;
};

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_REQUEST_GUARD_H_
