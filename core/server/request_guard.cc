#include "core/server/request_guard.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/base/strings.h"

namespace goose {
namespace {

// The host part of an authority: "[::1]:8080" -> "::1", "a.example:80" ->
// "a.example", lowercased. Empty when it cannot be read.
std::string HostOf(std::string_view authority) {
  authority = Trim(authority);
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "";
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return "";
    return Lower(authority.substr(1, close - 1));
  }
  const size_t colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
    return Lower(authority);  // a bare IPv6 address
  }
  return Lower(authority.substr(0, colon));
}

bool IsIpLiteral(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

ApiResponse Refuse(int status, const std::string& message) {
  return ErrorResponse(status, message);
}

}  // namespace

RequestGuard::RequestGuard(RequestGuardOptions options) : options_(std::move(options)) {
  for (std::string& name : options_.allowed_hosts) name = Lower(name);
  options_.listen_host = HostOf(options_.listen_host);
}

bool RequestGuard::AllowsHost(std::string_view authority) const {
  const std::string host = HostOf(authority);
  if (host.empty()) return false;
  if (IsIpLiteral(host)) return true;  // a rebinding page's Host is its own name
  if (host == "localhost" || EndsWith(host, ".localhost")) return true;
  if (host == options_.listen_host) return true;
  return std::any_of(options_.allowed_hosts.begin(), options_.allowed_hosts.end(),
                     [&](const std::string& name) { return name == "*" || name == host; });
}

std::optional<ApiResponse> RequestGuard::CheckSender(const GuardedHead& head) const {
  if (head.host && !AllowsHost(*head.host)) {
    return Refuse(403, "requests for host \"" + std::string(Trim(*head.host)) +
                           "\" are refused (a web page's name, not this server's); add the name "
                           "to GOOSE_API_ALLOWED_HOSTS if clients reach the server by it");
  }
  if (head.origin) {
    const std::string origin(Trim(*head.origin));
    const size_t scheme_end = origin.find("://");
    const std::string authority =
        scheme_end == std::string::npos ? "" : Lower(origin.substr(scheme_end + 3));
    const bool same_origin = !authority.empty() && head.host &&
                             authority == Lower(Trim(*head.host)) && AllowsHost(authority);
    if (!same_origin) {
      return Refuse(403, "cross-origin requests are refused (Origin: " + origin + ")");
    }
  }
  return std::nullopt;
}

std::optional<ApiResponse> RequestGuard::CheckBodyType(const GuardedHead& head) const {
  if (head.method == "POST" || head.method == "PUT" || head.method == "PATCH") {
    std::string_view type = head.content_type ? std::string_view(*head.content_type) : "";
    type = Trim(type.substr(0, type.find(';')));
    if (Lower(type) != "application/json") {
      return Refuse(
          415,
          std::string(head.method) + " bodies must be sent with Content-Type: application/json" +
              (head.content_type ? " (not " + std::string(Trim(*head.content_type)) + ")" : ""));
    }
  }
  return std::nullopt;
}

}  // namespace goose
