#include "scenarios/targets/program_launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/failpoint.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/unique_fd.h"

namespace goose::scenarios {

std::string GooseApiPath() { return GOOSE_API_PATH; }
std::string MockLlmPath() { return GOOSE_MOCK_LLM_PATH; }

Result<int> ReadReadyPort(ChildProcess& child, std::chrono::seconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string out;
  char buffer[4096];
  while (Clock::now() < deadline) {
    const size_t at = out.find("listening on http://");
    const size_t eol = at == std::string::npos ? at : out.find('\n', at);
    if (eol != std::string::npos) {
      const size_t colon = out.rfind(':', eol);
      return std::atoi(out.substr(colon + 1, eol - colon - 1).c_str());
    }
    pollfd pfd{child.stdout_fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) {
      if (child.HasExited()) break;
      continue;
    }
    const ssize_t n = ::read(child.stdout_fd(), buffer, sizeof buffer);
    if (n > 0) out.append(buffer, static_cast<size_t>(n));
    if (n == 0) break;
  }
  child.WaitStderrClosed(Clock::now() + std::chrono::milliseconds(200));
  return Internal(child.name() + " printed no ready line (stdout: \"" + out +
                  "\", stderr: " + child.StderrShortTail() + ")");
}

std::string FailpointsOn() {
  std::string list;
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    const Failpoint f = static_cast<Failpoint>(i);
    if (FailpointOn(f)) AppendJoined(&list, ",", FailpointName(f));
  }
  return list;
}

Result<int> PickFreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return IoError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return IoError("cannot bind a loopback port");
  }
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return IoError("getsockname() failed");
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::unique_ptr<MockLlmProcess>> MockLlmProcess::Start(const std::filesystem::path& dir,
                                                              const std::string& script_json) {
  const std::filesystem::path script = dir / "script.json";
  if (Status s = WriteFile(script, script_json.empty()
                                       ? std::string(R"({"turns":[{"messages":[{}]}],"loop":true})")
                                       : script_json);
      !s.ok()) {
    return s;
  }
  SpawnOptions options;
  options.name = "mock-llm";
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> llm =
      ChildProcess::Spawn({MockLlmPath(), "--port", "0", "--script", script.string()}, {}, options);
  if (!llm.ok()) return llm.status();
  Result<int> port = ReadReadyPort(**llm, std::chrono::seconds(30));
  if (!port.ok()) return port.status();
  return std::unique_ptr<MockLlmProcess>(new MockLlmProcess(std::move(*llm), *port));
}

MockLlmProcess::~MockLlmProcess() { process_->Stop(std::chrono::seconds(5)); }

std::string MockLlmProcess::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::optional<mock::MockStats> MockLlmProcess::Stats() const {
  return ReadMockStats("127.0.0.1", port_);
}

std::optional<mock::MockStats> ReadMockStats(const std::string& host, int port) {
  if (port <= 0) return std::nullopt;
  ApiClient client(host, port, "", std::chrono::seconds(10));
  HttpAnswer a = client.Get("/mock/stats");
  if (!a.ok() || !a.body.is_object() || !a.body.contains("streams_started")) return std::nullopt;
  mock::MockStats s;
  s.streams_started = a.body.value("streams_started", int64_t{0});
  s.streams_completed = a.body.value("streams_completed", int64_t{0});
  s.streams_cancelled = a.body.value("streams_cancelled", int64_t{0});
  s.streams_failed = a.body.value("streams_failed", int64_t{0});
  s.chunks_produced = a.body.value("chunks_produced", int64_t{0});
  s.chunks_consumed = a.body.value("chunks_consumed", int64_t{0});
  s.requests = a.body.value("requests", int64_t{0});
  return s;
}

int64_t CountDescendants(probe::OrphanWatch& orphans, const std::set<pid_t>& own) {
  orphans.ReapZombies(own);
  return static_cast<int64_t>(orphans.Descendants().size());
}

int KillStrays(probe::OrphanWatch& orphans, std::set<pid_t> own, bool server_running) {
  for (const probe::ProcessInfo& p : orphans.Descendants()) {
    if (server_running && p.ppid != ::getpid()) own.insert(p.pid);
  }
  return orphans.KillAndReapAll(own);
}

}  // namespace goose::scenarios
