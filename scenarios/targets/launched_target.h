// LaunchedTarget: the life cycle every target that runs the server as a
// program shares (ProcessTarget, CommandTarget).
//
// StartMock() makes a temporary folder and starts mock-llm there with the
// scenario's script; the subclass then starts its server (server_) pointed
// at it. This process is the subreaper of everything below it from
// construction on (OrphanWatch), so an orphan the server leaves is counted
// by Descendants(). The destructor stops the server (SIGTERM, then
// SIGKILL), then mock-llm, kills and reaps every stray descendant, and
// removes the folder: a failing scenario leaves nothing running or on disk.

#ifndef GOOSE_SCENARIOS_TARGETS_LAUNCHED_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_LAUNCHED_TARGET_H_

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "core/extensions/child_process.h"
#include "scenarios/targets/program_launch.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

class LaunchedTarget : public Target {
 public:
  ~LaunchedTarget() override;
  LaunchedTarget(const LaunchedTarget&) = delete;
  LaunchedTarget& operator=(const LaunchedTarget&) = delete;

  std::string host() const override { return "127.0.0.1"; }
  const std::filesystem::path& sessions_dir() const override { return sessions_dir_; }
  pid_t pid() const override { return server_ ? server_->pid() : -1; }
  bool heap_observable() const override { return false; }
  std::optional<mock::MockStats> MockStats() const override;
  int64_t Descendants() const override;
  int KillStrayDescendants() override;

  // True once the server has exited.
  bool Exited() const { return server_ && server_->HasExited(); }

 protected:
  // `dir_prefix` names the temporary folder ("goose-gate", "leakcheck").
  LaunchedTarget(TargetRequirements requirements, std::string dir_prefix);

  // Makes the temporary folder and starts mock-llm in it. Errors quote
  // mock-llm's stderr.
  Status StartMock();

  const TargetRequirements& requirements() const { return requirements_; }
  const std::filesystem::path& dir() const { return dir_; }
  const MockLlmProcess& mock_llm() const { return *mock_llm_; }

  std::filesystem::path sessions_dir_;
  std::unique_ptr<ChildProcess> server_;  // the subclass starts it

 private:
  std::set<pid_t> OwnPids() const;

  const TargetRequirements requirements_;
  const std::string dir_prefix_;
  std::filesystem::path dir_;           // temporary: script, data and sessions
  mutable probe::OrphanWatch orphans_;  // before the programs: watched from the start
  std::unique_ptr<MockLlmProcess> mock_llm_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_LAUNCHED_TARGET_H_
