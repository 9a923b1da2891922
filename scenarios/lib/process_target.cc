#include "scenarios/lib/process_target.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "core/failpoint.h"
#include "scenarios/lib/gate_client.h"

namespace goose::scenarios {
namespace {

using Clock = std::chrono::steady_clock;

// Reads `child`'s stdout until a line containing "listening on http://"
// and returns the port at its end.
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

// The failpoints on in this process, as GOOSE_API_FAILPOINTS wants them.
std::string FailpointsOn() {
  std::string list;
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    const Failpoint f = static_cast<Failpoint>(i);
    if (FailpointOn(f)) list += (list.empty() ? "" : ",") + std::string(FailpointName(f));
  }
  return list;
}

}  // namespace

std::string GooseApiPath() { return GOOSE_API_PATH; }
std::string MockLlmPath() { return GOOSE_MOCK_LLM_PATH; }

ProcessTarget::ProcessTarget(TargetRequirements requirements)
    : requirements_(std::move(requirements)), api_key_("gate-key") {}

ProcessTarget::~ProcessTarget() {
  if (server_) server_->Stop(std::chrono::seconds(5));
  if (mock_llm_) mock_llm_->Stop(std::chrono::seconds(5));
  server_.reset();
  mock_llm_.reset();
  orphans_.KillAndReapAll();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Status ProcessTarget::Start() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "goose-gate-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return IoError("cannot make a temporary directory");
  dir_ = tmpl;
  sessions_dir_ = dir_ / "sessions";
  const std::filesystem::path script = dir_ / "script.json";
  std::ofstream(script) << (requirements_.script_json.empty()
                                ? std::string(R"({"turns":[{"messages":[{}]}],"loop":true})")
                                : requirements_.script_json);
  SpawnOptions options;
  options.name = "mock-llm";
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> llm =
      ChildProcess::Spawn({MockLlmPath(), "--port", "0", "--script", script.string()}, {}, options);
  if (!llm.ok()) return llm.status();
  mock_llm_ = std::move(*llm);
  Result<int> port = ReadReadyPort(*mock_llm_, std::chrono::seconds(30));
  if (!port.ok()) return port.status();
  mock_port_ = *port;
  return StartServer();
}

Status ProcessTarget::StartServer() {
  const double ttl = std::chrono::duration<double>(requirements_.session_ttl).count();
  std::map<std::string, std::string> env = {
      {"GOOSE_API_PORT", "0"},
      {"GOOSE_API_HOST", "127.0.0.1"},
      {"GOOSE_API_KEY", api_key_},
      {"GOOSE_API_SESSIONS_DIR", sessions_dir_.string()},
      {"GOOSE_API_SESSION_TIMEOUT_SECS", std::to_string(ttl)},
      {"GOOSE_API_THREADS", std::to_string(requirements_.server_threads)},
      {"GOOSE_API_MODEL", requirements_.script.name},  // mock-llm picks the script by model
      {"GOOSE_API_LOG_LEVEL", "warn"},
      {"OPENAI_HOST", "http://127.0.0.1:" + std::to_string(mock_port_)},
      {"OPENAI_API_KEY", "gate"},
      {"GOOSE_API_FAILPOINTS", FailpointsOn()}};
  SpawnOptions options;
  options.name = "goose-api";
  options.supervision = Supervision::kDirect;
  Result<std::unique_ptr<ChildProcess>> server =
      ChildProcess::Spawn({GooseApiPath()}, env, options);
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  Result<int> port = ReadReadyPort(*server_, std::chrono::seconds(30));
  if (!port.ok()) return port.status();
  server_port_ = *port;
  return Status::Ok();
}

void ProcessTarget::KillServer() {
  if (!server_) return;
  ::kill(server_->pid(), SIGKILL);
  server_->AwaitStop(Clock::now() + std::chrono::seconds(5));
  server_.reset();
  server_port_ = -1;
}

Status ProcessTarget::RestartServer() {
  KillServer();
  return StartServer();
}

pid_t ProcessTarget::pid() const { return server_ ? server_->pid() : -1; }

std::optional<mock::MockStats> ProcessTarget::MockStats() const {
  if (mock_port_ <= 0) return std::nullopt;
  GateClient client("127.0.0.1", mock_port_, "", std::chrono::seconds(10));
  HttpAnswer a = client.Get("/mock/stats");
  if (!a.ok() || !a.body.is_object()) return std::nullopt;
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

std::set<pid_t> ProcessTarget::OwnPids() const {
  std::set<pid_t> own;
  if (mock_llm_) own.insert(mock_llm_->pid());
  if (server_) own.insert(server_->pid());
  return own;
}

int64_t ProcessTarget::Descendants() const {
  // Orphans that died are zombies of this process: reap them first (never
  // the two programs, whose ChildProcess reaps them).
  orphans_.ReapZombies(OwnPids());
  return static_cast<int64_t>(orphans_.Descendants().size());
}

int ProcessTarget::KillStrayDescendants() {
  // Everything but the two programs themselves and the server's own
  // descendants while it runs.
  std::set<pid_t> keep = OwnPids();
  for (const probe::ProcessInfo& p : orphans_.Descendants()) {
    if (server_ && p.ppid != ::getpid()) keep.insert(p.pid);
  }
  return orphans_.KillAndReapAll(keep);
}

}  // namespace goose::scenarios
