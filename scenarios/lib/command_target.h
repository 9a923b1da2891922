// CommandTarget: any goose-api compatible server, started from a command
// line and watched from outside (leakcheck's default target and its
// --target).
//
// Start() makes a temporary directory, starts mock-llm there with the
// scenario's script, then the command (argv, no shell) under this
// process's subreaper (OrphanWatch) with its environment pointing the
// server at the mock and at a fresh sessions folder (TargetEnvironment()
// lists every variable), and polls until the server answers on the port
// it was given. The server then has to look like goose-api: GET
// /sessions/list with the key answers 200 with a JSON object. A command
// that exits first, or never answers in time, is an error that names the
// command and quotes its stderr tail; so is one that answers as something
// else (a port taken by another program).
//
// Observation from outside: /proc of the command's pid (PSS as the heap
// series, recorded but not judged for a sanitizer build; fds, threads), every descendant (orphans
// re-parent here), the mock's drain statistics (GET /mock/stats), the ledger when the server
// publishes it in GET /metrics (ServerObserver), and the sessions folder.
// The command's stdout is drained by a thread (a chatty server never
// blocks on a full pipe); its last bytes are kept for error messages.

#ifndef GOOSE_SCENARIOS_LIB_COMMAND_TARGET_H_
#define GOOSE_SCENARIOS_LIB_COMMAND_TARGET_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/extensions/child_process.h"
#include "scenarios/lib/program_launch.h"
#include "scenarios/lib/server_observer.h"
#include "scenarios/lib/target.h"

namespace goose::scenarios {

struct CommandTargetOptions {
  std::vector<std::string> argv;  // the server; argv[0] is looked up in PATH
  // Added to the environment last (e.g. GOOSE_API_FAILPOINTS).
  std::map<std::string, std::string> extra_env;
  int port = 0;  // the port the server is told to listen on; 0: a free one
  std::string api_key = "leakcheck-key";
  std::chrono::seconds ready_timeout{30};
};

// The environment a command target gets, given the mock's URL, the
// script (model) name, the port, the key, the sessions folder and the
// session TTL. Exposed for the documentation test and for `leakcheck
// --help`'s account of it.
std::map<std::string, std::string> TargetEnvironment(const std::string& mock_url,
                                                     const std::string& model, int port,
                                                     const std::string& api_key,
                                                     const std::filesystem::path& data_dir,
                                                     std::chrono::duration<double> session_ttl);

class CommandTarget : public Target {
 public:
  CommandTarget(TargetRequirements requirements, CommandTargetOptions options);
  // Stops the command (SIGTERM, then SIGKILL) and mock-llm, kills stray
  // descendants, removes the temporary directory.
  ~CommandTarget() override;
  CommandTarget(const CommandTarget&) = delete;
  CommandTarget& operator=(const CommandTarget&) = delete;

  // See the class comment. Errors are Unavailable (did not start or
  // answer) or FailedPrecondition-like InvalidArgument (answers, but not
  // as goose-api), with the command, its exit status and stderr tail.
  Status Start();

  // True once the command has exited; ExitDescription() says how, with
  // its stderr tail ("" while it runs).
  bool Exited() const;
  std::string ExitDescription() const;

  std::string host() const override { return "127.0.0.1"; }
  int port() const override { return port_; }
  const std::string& api_key() const override { return options_.api_key; }
  const std::filesystem::path& sessions_dir() const override { return sessions_dir_; }
  pid_t pid() const override;
  bool heap_observable() const override { return false; }
  std::optional<LedgerSnapshot> Ledger() const override;
  std::optional<mock::MockStats> MockStats() const override;
  int64_t Descendants() const override;
  int KillStrayDescendants() override;
  std::optional<double> ExternalHeapBytes() const override;
  std::string_view external_heap_kind() const override { return heap_kind_; }
  std::optional<SessionFiles> SessionFilesNow() const override;

 private:
  class OutputDrain;
  std::set<pid_t> OwnPids() const;
  Status AwaitReady();

  const TargetRequirements requirements_;
  const CommandTargetOptions options_;
  std::filesystem::path dir_;  // temporary: script, data and sessions
  std::filesystem::path sessions_dir_;
  int port_ = -1;
  std::string heap_kind_ = "pss";       // ServerObserver::PssKind, once the server answers
  mutable probe::OrphanWatch orphans_;  // before the programs: they are watched from the start
  std::unique_ptr<MockLlmProcess> mock_llm_;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<OutputDrain> stdout_drain_;
  std::unique_ptr<ServerObserver> observer_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_LIB_COMMAND_TARGET_H_
