// Target: a server under test, seen through HTTP, plus what can be
// observed of it.
//
// A scenario drives a Target only through its HTTP API (base URL and API
// key), exactly as a user's client would; the runner observes it through
// the optional windows below: the process to probe from outside, its
// resource ledger when it runs in this process, the mock provider's drain
// accounting, and the descendants it left behind (through an OrphanWatch
// that makes this process their subreaper).
//
// InProcessTarget runs the whole server (ServerStack) with the scripted
// MockProvider in this process, with either a catalog of in-process tools
// or real stdio extensions (StdioExtensionCatalog, for mock-mcp).
// ProcessTarget (process_target.h) runs goose-api and mock-llm as programs;
// `leakcheck`'s CommandTarget and AttachedTarget (command_target.h,
// attached_target.h) watch any goose-api compatible server from outside.

#ifndef GOOSE_SCENARIOS_TARGETS_TARGET_H_
#define GOOSE_SCENARIOS_TARGETS_TARGET_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent/session_registry.h"
#include "core/base/resource_ledger.h"
#include "core/base/status.h"
#include "harness/api_client.h"
#include "mock_provider/mock_stats.h"
#include "mock_provider/script.h"
#include "scenarios/probe/orphan_watch.h"

namespace goose::testing {
struct TestServerOptions;
class TestServer;
}  // namespace goose::testing

namespace goose::scenarios {

using Clock = std::chrono::steady_clock;
using testing::AnswerError;
using testing::ApiClient;
using testing::HttpAnswer;

class Target {
 public:
  virtual ~Target() = default;

  // "http://127.0.0.1:<port>".
  virtual std::string host() const = 0;
  virtual int port() const = 0;
  virtual const std::string& api_key() const = 0;
  virtual const std::filesystem::path& sessions_dir() const = 0;

  // The server's pid for /proc probes; 0 when it runs in this process.
  virtual pid_t pid() const = 0;
  // True when the heap gauge of this process measures the server.
  virtual bool heap_observable() const = 0;
  // The server's ledger, when it can be read directly (in-process).
  virtual std::optional<LedgerSnapshot> Ledger() const = 0;
  // The mock provider's drain accounting.
  virtual std::optional<mock::MockStats> MockStats() const = 0;
  // How many processes are below this one (the server's children, and
  // every orphan re-parented to the harness). Zombies count.
  virtual int64_t Descendants() const = 0;
  // Kills and reaps every descendant that is not part of the target
  // itself, so a failing gate leaves nothing running. Returns how many.
  virtual int KillStrayDescendants() = 0;

  // For a server whose allocator this process cannot read
  // (heap_observable() false): the figure the heap series judges instead,
  // e.g. the PSS of an external server; nullopt when there is none. The
  // name of that figure is external_heap_kind() ("pss"), which also picks
  // its thresholds (thresholds.h).
  virtual std::optional<double> ExternalHeapBytes() const { return std::nullopt; }
  virtual std::string_view external_heap_kind() const { return {}; }

  // The body of the server's GET /metrics when it publishes something other
  // than our ledger (the original goose-api's session-file counts), for the
  // report as it is; nullopt otherwise.
  virtual std::optional<Json> ForeignMetrics() const { return std::nullopt; }

  // Session files in sessions_dir() (count and bytes), for the info series;
  // nullopt when the target does not say where its sessions are.
  struct SessionFiles {
    int64_t files = 0;
    int64_t bytes = 0;
  };
  virtual std::optional<SessionFiles> SessionFilesNow() const { return std::nullopt; }

  // How the server died, in words (its exit status and output tails),
  // once it is gone; "" while it runs or when it cannot be told.
  virtual std::string ExitDescription() const { return {}; }
  // Why the heap is not watched as asked (e.g. a static program cannot
  // take the preloaded counter); "" when it is.
  virtual std::string heap_note() const { return {}; }
  // A heap profile of the server now (gperftools' text format): by default
  // GET /debug/heap, which goose-api from a heapprof build serves; a
  // program started with the profiler preloaded dumps it on a signal.
  virtual Result<std::string> DumpHeapProfile();
};

// What the heap series of `target` is, for reports: "allocator (in
// process)", "live malloc bytes of pid N (...)", "pss of pid N", ...
std::string HeapSeriesName(const Target& target);

// The stdio MCP server the extension scenarios give their sessions, as the
// extension "mcp": mock-mcp from this build unless the user names their
// own (leakcheck run --extension 'CMD ARGS').
struct ExtensionCommand {
  std::string cmd;
  std::vector<std::string> args;
  bool is_mock_mcp = true;  // false: the user's, whose tools are unknown
};
ExtensionCommand MockMcpExtension();
// The user's `argv` (argv[0] the program).
ExtensionCommand UserExtension(std::vector<std::string> argv);
// "CMD ARGS", for reports.
std::string ExtensionText(const ExtensionCommand& extension);
// The body of POST /extensions/add for `extension` (goose's stdio
// ExtensionConfig: type, name "mcp", cmd, args, envs, timeout).
Json ExtensionConfig(const ExtensionCommand& extension);

// What a scenario needs of the server it runs against.
struct TargetRequirements {
  mock::Script script = mock::DefaultScript();
  // The same script as JSON text, for targets that run mock-llm (its name
  // must be script.name). Empty: the built-in default.
  std::string script_json;
  std::chrono::steady_clock::duration session_ttl = RegistryOptions{}.ttl;
  size_t max_sessions = RegistryOptions{}.max_sessions;
  // Real stdio extensions (StdioExtensionCatalog) instead of in-process
  // tools ("developer__shell", "ext__echo").
  bool stdio_extensions = false;
  // A server leakcheck starts also finds mock-mcp (as extension "mcp") in
  // goose's config file (XDG_CONFIG_HOME/goose/config.yaml), for servers
  // that load extensions from there rather than from /extensions/add.
  bool extension_in_config = false;
  // The extension that config file names (the scenarios add the same one
  // through /extensions/add).
  ExtensionCommand extension = MockMcpExtension();
  int server_threads = 8;
};

// The server and the mock provider in this process. Construct, then Start().
class InProcessTarget : public Target {
 public:
  explicit InProcessTarget(TargetRequirements requirements);
  // A server set up exactly as `options` say (the hardening gates' servers:
  // their own read timeouts, TTLs and providers); the API key is theirs.
  explicit InProcessTarget(testing::TestServerOptions options);
  // Shuts the server down (ending every session), then kills stray
  // descendants.
  ~InProcessTarget() override;
  InProcessTarget(const InProcessTarget&) = delete;
  InProcessTarget& operator=(const InProcessTarget&) = delete;

  // Makes a temporary sessions directory and starts listening on a free
  // loopback port.
  Status Start();

  std::string host() const override { return "127.0.0.1"; }
  int port() const override;
  const std::string& api_key() const override { return api_key_; }
  const std::filesystem::path& sessions_dir() const override { return sessions_dir_; }
  pid_t pid() const override { return 0; }
  bool heap_observable() const override { return true; }
  std::optional<LedgerSnapshot> Ledger() const override;
  std::optional<mock::MockStats> MockStats() const override;
  int64_t Descendants() const override;
  int KillStrayDescendants() override;

  // The server itself (REQUIRES: Start() succeeded), for scenarios that
  // also check what it stored or end what a bad client left behind.
  testing::TestServer& server();

 private:
  struct Parts;
  std::string api_key_;
  std::filesystem::path sessions_dir_;
  probe::OrphanWatch orphans_;  // before the server: its children are watched from the start
  std::unique_ptr<Parts> parts_;
};

// A keep-alive client of `target`'s API, with its key.
std::unique_ptr<ApiClient> ConnectTo(
    const Target& target, std::chrono::milliseconds read_timeout = std::chrono::seconds(60));

// Path of the mock-mcp program the build made (for stdio extensions).
std::string MockMcpPath();

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_TARGET_H_
