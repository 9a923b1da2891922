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
// heap is not this process's (heap_observable() is false). The life cycle
// (temporary folder, mock-llm, orphans, stopping) is LaunchedTarget's.

#ifndef GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_

#include <map>
#include <string>

#include "scenarios/targets/launched_target.h"

namespace goose::scenarios {

class ProcessTarget : public LaunchedTarget {
 public:
  explicit ProcessTarget(TargetRequirements requirements,
                         std::map<std::string, std::string> extra_env = {});

  // Starts mock-llm, then goose-api. Errors name the program and quote its
  // stderr.
  Status Start();

  // SIGKILLs goose-api and reaps it (mock-llm keeps running).
  void KillServer();
  // Starts goose-api again (a new pid and port) on the same sessions
  // directory and mock-llm. REQUIRES: KillServer() before.
  Status RestartServer();

  int port() const override { return server_port_; }
  const std::string& api_key() const override { return api_key_; }
  std::optional<LedgerSnapshot> Ledger() const override { return std::nullopt; }

 private:
  Status StartServer();

  const std::map<std::string, std::string> extra_env_;
  const std::string api_key_ = "gate-key";
  int server_port_ = -1;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_PROCESS_TARGET_H_
