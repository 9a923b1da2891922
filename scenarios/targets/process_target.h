// ProcessTarget: the server under test as real programs, for what only a
// separate process can show (the server SIGKILLed).
//
// It starts mock-llm (with the scenario's script, written to a temporary
// file) and goose-api pointed at it, both with ChildProcess
// (Supervision::kDirect), and reads their "listening on http://..." ready
// lines for the ports. goose-api gets a temporary sessions directory, the
// scenario's TTL, and GOOSE_API_FAILPOINTS set to whatever failpoints are
// on in this process when the server starts, so a canary switches a fault
// the same way for both kinds of target. The harness is the subreaper of
// everything below it (OrphanWatch): a grandchild orphaned by a killed
// server re-parents here and is counted by Descendants().
//
// `extra_env` is added to goose-api's environment last (leakcheck passes
// its --failpoint list as GOOSE_API_FAILPOINTS this way).
//
// Observation: mock stats through GET /mock/stats; the server's fds and
// threads through /proc/<pid>; its ledger is not read (nullopt), and its
// heap is not this process's (heap_observable() is false).

#ifndef GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/extensions/child_process.h"
#include "scenarios/targets/program_launch.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

class ProcessTarget : public Target {
 public:
  explicit ProcessTarget(TargetRequirements requirements,
                         std::map<std::string, std::string> extra_env = {});
  // Stops both programs (SIGTERM, then SIGKILL), kills stray descendants,
  // removes the temporary files.
  ~ProcessTarget() override;
  ProcessTarget(const ProcessTarget&) = delete;
  ProcessTarget& operator=(const ProcessTarget&) = delete;

  // Starts mock-llm, then goose-api. Errors name the program and quote its
  // stderr.
  Status Start();

  // SIGKILLs goose-api and reaps it (mock-llm keeps running).
  void KillServer();
  // Starts goose-api again (a new pid and port) on the same sessions
  // directory and mock-llm. REQUIRES: KillServer() before.
  Status RestartServer();

  std::string host() const override { return "127.0.0.1"; }
  int port() const override { return server_port_; }
  const std::string& api_key() const override { return api_key_; }
  const std::filesystem::path& sessions_dir() const override { return sessions_dir_; }
  pid_t pid() const override;
  bool heap_observable() const override { return false; }
  std::optional<LedgerSnapshot> Ledger() const override { return std::nullopt; }
  std::optional<mock::MockStats> MockStats() const override;
  int64_t Descendants() const override;
  int KillStrayDescendants() override;

 private:
  Status StartServer();
  std::set<pid_t> OwnPids() const;

  const TargetRequirements requirements_;
  const std::map<std::string, std::string> extra_env_;
  const std::string api_key_;
  std::filesystem::path dir_;  // temporary: script file and sessions
  std::filesystem::path sessions_dir_;
  mutable probe::OrphanWatch orphans_;  // Descendants() reaps zombies
  std::unique_ptr<MockLlmProcess> mock_llm_;
  std::unique_ptr<ChildProcess> server_;
  int server_port_ = -1;
};

// Paths of the programs the build made.
std::string GooseApiPath();
std::string MockLlmPath();

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_
