#include "scenarios/targets/launched_target.h"

#include <stdlib.h>

#include <chrono>

namespace goose::scenarios {

LaunchedTarget::LaunchedTarget(TargetRequirements requirements, std::string dir_prefix)
    : requirements_(std::move(requirements)), dir_prefix_(std::move(dir_prefix)) {}

LaunchedTarget::~LaunchedTarget() {
  if (server_) server_->Stop(std::chrono::seconds(5));
  server_.reset();
  mock_llm_.reset();
  orphans_.KillAndReapAll();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Status LaunchedTarget::StartMock() {
  std::string tmpl = (std::filesystem::temp_directory_path() / (dir_prefix_ + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) return IoError("cannot make a temporary directory");
  dir_ = tmpl;
  Result<std::unique_ptr<MockLlmProcess>> llm =
      MockLlmProcess::Start(dir_, requirements_.script_json);
  if (!llm.ok()) return llm.status();
  mock_llm_ = std::move(*llm);
  return Status::Ok();
}

std::optional<mock::MockStats> LaunchedTarget::MockStats() const {
  if (!mock_llm_) return std::nullopt;
  return mock_llm_->Stats();
}

std::set<pid_t> LaunchedTarget::OwnPids() const {
  std::set<pid_t> own;
  if (mock_llm_) own.insert(mock_llm_->pid());
  if (server_) own.insert(server_->pid());
  return own;
}

int64_t LaunchedTarget::Descendants() const { return CountDescendants(orphans_, OwnPids()); }

int LaunchedTarget::KillStrayDescendants() {
  return KillStrays(orphans_, OwnPids(), /*server_running=*/server_ && !server_->HasExited());
}

}  // namespace goose::scenarios
