// McpTarget: a stdio MCP server (an extension goose runs), started from a
// command line and watched from outside (`leakcheck mcp -- CMD ARGS`).
//
// Start() runs the command without a shell (Supervision::kDirect, so what
// the server orphans re-parents to this process's subreaper and is seen),
// with this process's environment, HOME and the working folder set to a
// fresh temporary folder (unless told otherwise), speaks MCP over its
// stdio (McpClient: initialize, notifications/initialized; a server's ping
// answered), and keeps the capabilities it announced.
//
// The heap series depends on the server's runtime (RuntimeOf, from the
// executable: its name, ELF interpreter or #! line), overridable:
//   native, python  the preloaded allocation counter: live malloc bytes,
//                   exact (Python with PYTHONMALLOC=malloc), "malloc"
//   node            V8's used heap after a forced full collection, from a
//                   probe preloaded with NODE_OPTIONS (node_heap_probe.h),
//                   summed over the node processes of the tree, "v8"
//   anything else   PSS of the direct child, "pss" (pages: its floor is
//                   a page per iteration, thresholds.h)
// With options.profile, a native or Python server gets gperftools' heap
// profiler instead of the counter (two preloaded allocators cannot both
// count), so its series is PSS; a Node.js one keeps its V8 series.
// heap_note() says why a series is not the one asked for.
//
// Observation: fds and threads of the direct child (/proc), its
// descendants (children and orphans), the heap above. The server has no
// HTTP side: host() is empty and port() 0.

#ifndef GOOSE_SCENARIOS_TARGETS_MCP_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_MCP_TARGET_H_

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/extensions/mcp_client.h"
#include "scenarios/alloc_counter/alloc_counter_page.h"
#include "scenarios/targets/node_heap_probe.h"
#include "scenarios/targets/preloaded_profiler.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// What runs a program: "node", "python", "native" (a dynamically linked
// program), or "other" (a static program, a shell script, not found).
std::string RuntimeOf(const std::string& argv0);
// The same for a command line, looking through a launcher (sh -c '...',
// env, nice, timeout) at the first program it names that has a runtime.
std::string RuntimeOf(const std::vector<std::string>& argv);

struct McpTargetOptions;
// The heap series a target started with `options` is expected to give
// ("malloc", "v8" or "pss"): what Start() chooses unless the counter or
// the probe does not take.
std::string ExpectedMcpHeapKind(const McpTargetOptions& options);

struct McpTargetOptions {
  std::vector<std::string> argv;  // the server; argv[0] is looked up in PATH
  // Added to the environment last.
  std::map<std::string, std::string> extra_env;
  // Where the server runs and what HOME it gets; empty: a fresh temporary
  // folder, removed afterwards.
  std::filesystem::path working_dir;
  bool keep_home = false;  // true: HOME as this process has it
  // "auto" (from the runtime), "exact", "node" or "pss".
  std::string heap = "auto";
  // Attribution (leakcheck mcp --profile): for a Node.js server, V8 heap
  // snapshots through the probe (WriteHeapSnapshots); for any other,
  // gperftools' heap profiler preloaded in place of the allocation
  // counter (DumpHeapProfile; the heap series is then PSS).
  bool profile = false;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // The subreaper to watch the server's orphans with, when another target
  // already has one (not owned; it must outlive this target); null: one of
  // its own. (An OrphanWatch kills every descendant when it goes.)
  probe::OrphanWatch* watch = nullptr;
};

// How a server ended when a client ended it (ShutDownAsClient).
struct ClientShutdown {
  std::string ended_by;           // "stdin closed", "SIGTERM" or "SIGKILL"
  double seconds = 0;             // from the first step until it exited
  std::string exit_status;        // "exit code 0", "signal 15 (SIGTERM)"
  std::vector<std::string> tree;  // the server's process tree just before
  std::vector<std::string> left;  // what still ran once it had exited: orphans
};

class McpTarget : public Target {
 public:
  explicit McpTarget(McpTargetOptions options);
  // Stops the server (stdin closed, SIGTERM, SIGKILL), kills and reaps
  // every stray descendant, removes the temporary folder.
  ~McpTarget() override;
  McpTarget(const McpTarget&) = delete;
  McpTarget& operator=(const McpTarget&) = delete;

  // Starts the server and initializes the session. Errors name the
  // command and quote its stderr.
  Status Start();

  McpClient& client() { return *client_; }
  const McpServerInfo& server_info() const { return server_info_; }
  const McpTargetOptions& options() const { return options_; }
  // The runtime the heap series was chosen for (RuntimeOf, or as told).
  const std::string& runtime() const { return runtime_; }
  // The subreaper this target watches with (for fresh servers beside it).
  probe::OrphanWatch& watch() { return *orphans_; }

  // Every process below this one now but `others`: the server and what it
  // started, as "pid (command) ppid N" lines, for the report.
  std::vector<std::string> ProcessTree(const std::set<pid_t>& others = {}) const;

  // Ends the server as the MCP specification tells a stdio client to
  // (basic/lifecycle): close its stdin, wait `grace`, SIGTERM, wait
  // `grace`, SIGKILL; with `signal_first`, SIGTERM first with stdin still
  // open (a client that signals its direct child, as one behind a launcher
  // would). Only the direct child is signalled. Records what the server
  // left running (not `others`), then kills and reaps that. The target is
  // stopped afterwards.
  ClientShutdown ShutDownAsClient(bool signal_first, std::chrono::milliseconds grace,
                                  const std::set<pid_t>& others);

  std::string host() const override { return {}; }
  int port() const override { return 0; }
  const std::string& api_key() const override { return empty_; }
  const std::filesystem::path& sessions_dir() const override { return no_dir_; }
  pid_t pid() const override;
  bool heap_observable() const override { return false; }
  std::optional<LedgerSnapshot> Ledger() const override { return std::nullopt; }
  std::optional<mock::MockStats> MockStats() const override { return std::nullopt; }
  int64_t Descendants() const override;
  int KillStrayDescendants() override;
  std::optional<double> ExternalHeapBytes() const override;
  std::string_view external_heap_kind() const override { return heap_kind_; }
  std::string ExitDescription() const override;
  std::string heap_note() const override { return heap_note_; }

  // With options.profile and the V8 series: a heap snapshot of every node
  // process of the server's tree, as <out_dir>/<tag>-<pid>.heapsnapshot;
  // the files by pid. Errors: InvalidArgument when the server is not
  // watched through the node probe; the probe's errors otherwise.
  Result<std::map<pid_t, std::filesystem::path>> WriteHeapSnapshots(
      const std::filesystem::path& out_dir, const std::string& tag);
  // With options.profile and the profiler preloaded: the server's heap
  // profile now (gperftools' text). Errors say why there is none.
  Result<std::string> DumpHeapProfile() override;

 private:
  // Chooses the heap series and adds what it needs to `env`.
  void PrepareHeap(std::map<std::string, std::string>& env);
  // Once initialized: whether the preloaded counter counts in the server.
  void CheckHeap();

  const McpTargetOptions options_;
  const std::string empty_;
  const std::filesystem::path no_dir_;
  std::filesystem::path temp_dir_;  // ours to remove; empty when none
  std::string runtime_;
  std::string heap_kind_ = "pss";
  std::string heap_note_;
  std::optional<AllocCounterPage> alloc_page_;
  std::unique_ptr<NodeHeapProbe> node_probe_;
  std::optional<PreloadedHeapProfiler> profiler_;
  // Before the server: it is watched from the start.
  std::unique_ptr<probe::OrphanWatch> own_watch_;
  probe::OrphanWatch* orphans_;
  std::set<pid_t> before_;  // this process's descendants before the server: not its
  std::unique_ptr<McpClient> client_;
  McpServerInfo server_info_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_MCP_TARGET_H_
