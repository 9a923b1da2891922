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

#ifndef GOOSE_SCENARIOS_TARGETS_COMMAND_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_COMMAND_TARGET_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/extensions/child_process.h"
#include "scenarios/alloc_counter/alloc_counter_page.h"
#include "scenarios/targets/launched_target.h"
#include "scenarios/targets/preloaded_profiler.h"
#include "scenarios/targets/server_observer.h"

namespace goose::scenarios {

struct CommandTargetOptions {
  std::vector<std::string> argv;  // the server; argv[0] is looked up in PATH
  // Added to the environment last (e.g. GOOSE_API_FAILPOINTS).
  std::map<std::string, std::string> extra_env;
  int port = 0;  // the port the server is told to listen on; 0: a free one
  // The variable that tells the server its session TTL (the scenario's);
  // empty: the server cannot be told.
  std::string ttl_env = "GOOSE_API_SESSION_TIMEOUT_SECS";
  std::string api_key = "leakcheck-key";
  std::chrono::seconds ready_timeout{30};
  // How the heap series sees the server (docs/leakcheck.md, "Heap modes").
  enum class HeapWatch {
    kPss,       // its PSS: pages, whatever allocator it has
    kExact,     // an allocation counter preloaded (libleakcheck-alloc.so): its live
                // malloc bytes, where the program allows it (else PSS, with heap_note())
    kProfiler,  // gperftools' heap profiler preloaded (libtcmalloc, HEAPPROFILE):
                // DumpHeapProfile() on demand; the series is PSS
  };
  HeapWatch heap = HeapWatch::kPss;
};

// The environment a command target gets, given the mock's URL, the
// script (model) name, the port, the key, the sessions folder and the
// session TTL (in `ttl_env`, unless it is empty). Exposed for the documentation test and for
// `leakcheck
// --help`'s account of it.
std::map<std::string, std::string> TargetEnvironment(const std::string& mock_url,
                                                     const std::string& model, int port,
                                                     const std::string& api_key,
                                                     const std::filesystem::path& data_dir,
                                                     std::chrono::duration<double> session_ttl,
                                                     const std::string& ttl_env);

class CommandTarget : public LaunchedTarget {
 public:
  CommandTarget(TargetRequirements requirements, CommandTargetOptions options);
  ~CommandTarget() override;

  // See the class comment. Errors are Unavailable (did not start or
  // answer) or FailedPrecondition-like InvalidArgument (answers, but not
  // as goose-api), with the command, its exit status and stderr tail.
  Status Start();

  // How the command exited, with its stderr and stdout tails ("" while it
  // runs).
  std::string ExitDescription() const override;

  int port() const override { return port_; }
  const std::string& api_key() const override { return options_.api_key; }
  std::optional<LedgerSnapshot> Ledger() const override;
  std::optional<double> ExternalHeapBytes() const override;
  std::string_view external_heap_kind() const override { return heap_kind_; }
  std::optional<SessionFiles> SessionFilesNow() const override;
  std::optional<Json> ForeignMetrics() const override {
    return observer_ ? observer_->ForeignMetrics() : std::nullopt;
  }

  // Why the heap is not watched as options.heap asked (the program is
  // static, a sanitizer build, has its own allocator, or the preload did
  // not take), in words; "" when it is.
  std::string heap_note() const override { return heap_note_; }

  // With HeapWatch::kProfiler: makes the server dump its heap profile now
  // (HEAPPROFILESIGNAL) and returns the dump (gperftools' heap profile
  // text; its header holds the in-use bytes exactly). Errors name why.
  // Otherwise GET /debug/heap (Target's).
  Result<std::string> DumpHeapProfile() override;

 private:
  class OutputDrain;
  Status AwaitReady();
  // Adds what options_.heap needs to the server's environment (or sets
  // heap_note_ saying why it cannot be had); checks it took once ready.
  void PrepareHeapWatch(std::map<std::string, std::string>& env);
  void CheckHeapWatch();

  const CommandTargetOptions options_;
  int port_ = -1;
  std::string heap_kind_ = "pss";  // ServerObserver::PssKind once the server answers, or "malloc"
  std::string heap_note_;
  std::optional<AllocCounterPage> alloc_page_;     // HeapWatch::kExact, while it counts
  std::optional<PreloadedHeapProfiler> profiler_;  // HeapWatch::kProfiler
  std::unique_ptr<OutputDrain> stdout_drain_;
  std::unique_ptr<ServerObserver> observer_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_COMMAND_TARGET_H_
