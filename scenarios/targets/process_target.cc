#include "scenarios/targets/process_target.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>

namespace goose::scenarios {
namespace {}  // namespace

std::string GooseApiPath() { return GOOSE_API_PATH; }
std::string MockLlmPath() { return GOOSE_MOCK_LLM_PATH; }

ProcessTarget::ProcessTarget(TargetRequirements requirements,
                             std::map<std::string, std::string> extra_env)
    : requirements_(std::move(requirements)),
      extra_env_(std::move(extra_env)),
      api_key_("gate-key") {}

ProcessTarget::~ProcessTarget() {
  if (server_) server_->Stop(std::chrono::seconds(5));
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
  Result<std::unique_ptr<MockLlmProcess>> llm =
      MockLlmProcess::Start(dir_, requirements_.script_json);
  if (!llm.ok()) return llm.status();
  mock_llm_ = std::move(*llm);
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
      {"OPENAI_HOST", mock_llm_->url()},
      {"OPENAI_API_KEY", "gate"},
      {"GOOSE_API_FAILPOINTS", FailpointsOn()}};
  for (const auto& [key, value] : extra_env_) env[key] = value;
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
  if (!mock_llm_) return std::nullopt;
  return mock_llm_->Stats();
}

std::set<pid_t> ProcessTarget::OwnPids() const {
  std::set<pid_t> own;
  if (mock_llm_) own.insert(mock_llm_->pid());
  if (server_) own.insert(server_->pid());
  return own;
}

int64_t ProcessTarget::Descendants() const { return CountDescendants(orphans_, OwnPids()); }

int ProcessTarget::KillStrayDescendants() {
  return KillStrays(orphans_, OwnPids(), /*server_running=*/server_ != nullptr);
}

}  // namespace goose::scenarios
