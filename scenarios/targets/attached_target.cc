#include "scenarios/targets/attached_target.h"

#include <signal.h>

#include <charconv>
#include <filesystem>

#include "scenarios/probe/process_probe.h"
#include "scenarios/targets/program_launch.h"

namespace goose::scenarios {

Result<HttpEndpoint> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return InvalidArgument("the URL \"" + url +
                           "\" must start with http:// (https is not supported)");
  }
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos) {
    return InvalidArgument("the URL \"" + url + "\" must be http://HOST:PORT");
  }
  HttpEndpoint e;
  e.host = rest.substr(0, colon);
  const std::string port = rest.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
  if (ec != std::errc() || ptr != port.data() + port.size() || e.port <= 0 || e.port > 65535) {
    return InvalidArgument("the port of \"" + url + "\" must be 1-65535");
  }
  return e;
}

AttachedTarget::AttachedTarget(HttpEndpoint server, pid_t pid, std::string api_key,
                               HttpEndpoint mock)
    : server_(std::move(server)),
      pid_(pid),
      api_key_(std::move(api_key)),
      mock_(std::move(mock)),
      observer_(server_.host, server_.port, api_key_) {}

bool AttachedTarget::Exited() const {
  return !std::filesystem::exists("/proc/" + std::to_string(pid_));
}

Status AttachedTarget::Validate() {
  const std::string url = "http://" + server_.host + ":" + std::to_string(server_.port);
  if (pid_ <= 0 || Exited()) {
    return InvalidArgument("no process " + std::to_string(pid_) +
                           " is running: --pid must be the server's process id (e.g. `pgrep "
                           "goose-api`)");
  }
  heap_kind_ = ServerObserver::PssKind(pid_);
  if (ReadProcessStats(pid_).open_fds < 0) {
    return InvalidArgument("cannot read /proc/" + std::to_string(pid_) +
                           "/fd: run leakcheck as the server's user (or root)");
  }
  Status looks = ServerObserver::CheckGooseApi(server_.host, server_.port, api_key_);
  if (looks.code() == StatusCode::kUnavailable) {
    return Status(StatusCode::kUnavailable,
                  "nothing answers at " + url + ": is the server listening there?");
  }
  if (looks.code() == StatusCode::kUnauthenticated) {
    return InvalidArgument(url +
                           " refused the key (401): pass the server's GOOSE_API_KEY with "
                           "--key or the GOOSE_API_KEY environment variable");
  }
  if (!looks.ok()) {
    return InvalidArgument(url + " answers, but not as a goose-api server (" + looks.message() +
                           "): check the port in --url");
  }
  if (mock_.port > 0 && !ReadMockStats(mock_.host, mock_.port)) {
    return InvalidArgument("http://" + mock_.host + ":" + std::to_string(mock_.port) +
                           " does not answer GET /mock/stats: --mock-url must be a mock-llm");
  }
  return Status::Ok();
}

std::optional<mock::MockStats> AttachedTarget::MockStats() const {
  if (mock_.port <= 0) return std::nullopt;
  return ReadMockStats(mock_.host, mock_.port);
}

int64_t AttachedTarget::Descendants() const {
  return probe::ProcessProbe(pid_).Sample().descendants;
}

std::optional<double> AttachedTarget::ExternalHeapBytes() const {
  return ServerObserver::MemoryBytes(pid_);
}

}  // namespace goose::scenarios
