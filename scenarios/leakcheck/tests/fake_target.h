// A Target and a Scenario that do nothing, for tests of leakcheck's stages
// that need the runner to go through its steps without a server: the
// target is this process (pid 0), with no ledger and no mock; the
// scenario counts its iterations.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_TESTS_FAKE_TARGET_H_
#define GOOSE_SCENARIOS_LEAKCHECK_TESTS_FAKE_TARGET_H_

#include <string>

#include "scenarios/runner/scenario.h"
#include "scenarios/targets/target.h"

namespace goose::leakcheck {

class FakeTarget : public scenarios::Target {
 public:
  std::string host() const override { return "127.0.0.1"; }
  int port() const override { return 1; }
  const std::string& api_key() const override { return key_; }
  const std::filesystem::path& sessions_dir() const override { return dir_; }
  pid_t pid() const override { return 0; }
  bool heap_observable() const override { return false; }
  std::optional<LedgerSnapshot> Ledger() const override { return std::nullopt; }
  std::optional<mock::MockStats> MockStats() const override { return std::nullopt; }
  int64_t Descendants() const override { return 0; }
  int KillStrayDescendants() override { return 0; }
  // No profiler here: what a server without one answers.
  Result<std::string> DumpHeapProfile() override {
    return InvalidArgument("the target has no GET /debug/heap (404)");
  }

 private:
  std::string key_ = "key";
  std::filesystem::path dir_;
};

class CountingScenario : public scenarios::Scenario {
 public:
  explicit CountingScenario(scenarios::ScenarioInfo info) : info_(std::move(info)) {}
  const scenarios::ScenarioInfo& info() const override { return info_; }
  scenarios::TargetRequirements requirements() const override { return {}; }
  Status Setup(scenarios::Target&) override { return Status::Ok(); }
  Status Iterate(scenarios::Target&, int) override {
    ++iterations_;
    return Status::Ok();
  }
  Status Teardown(scenarios::Target&) override { return Status::Ok(); }
  bool SetSessionTtl(std::chrono::duration<double>) override { return info_.needs.session_ttl; }

  int iterations() const { return iterations_; }

 private:
  scenarios::ScenarioInfo info_;
  int iterations_ = 0;
};

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_TESTS_FAKE_TARGET_H_
