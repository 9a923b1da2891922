#include "scenarios/targets/process_target.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>

namespace goose::scenarios {

ProcessTarget::ProcessTarget(TargetRequirements requirements,
                             std::map<std::string, std::string> extra_env)
    : LaunchedTarget(std::move(requirements), "goose-gate"), extra_env_(std::move(extra_env)) {}

Status ProcessTarget::Start() {
  if (Status s = StartMock(); !s.ok()) return s;
  sessions_dir_ = dir() / "sessions";
  return StartServer();
}

Status ProcessTarget::StartServer() {
  const double ttl = std::chrono::duration<double>(requirements().session_ttl).count();
  std::map<std::string, std::string> env = {
      {"GOOSE_API_PORT", "0"},
      {"GOOSE_API_HOST", "127.0.0.1"},
      {"GOOSE_API_KEY", api_key_},
      {"GOOSE_API_SESSIONS_DIR", sessions_dir_.string()},
      {"GOOSE_API_SESSION_TIMEOUT_SECS", std::to_string(ttl)},
      {"GOOSE_API_THREADS", std::to_string(requirements().server_threads)},
      {"GOOSE_API_MODEL", requirements().script.name},  // mock-llm picks the script by model
      {"GOOSE_API_LOG_LEVEL", "warn"},
      {"OPENAI_HOST", mock_llm().url()},
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

}  // namespace goose::scenarios
