// StdioExtension: one running MCP server of a session — its config, its
// child process and its MCP client.
//
// Start() spawns the command (under goose-ext-shim by default), runs
// initialize and tools/list, each within the config's timeout, and caches
// the tool list (re-listed after notifications/tools/list_changed). The
// process gets a minimal environment: kMinimalEnvironment and the names in
// pass_environment from the server's, then the config's `envs` (never the
// server's keys: an extension is third-party code). A
// crash makes health() not OK and every call an error result naming how
// the process ended. Destruction stops the process tree.
//
// Ledger: Gauge::kExtensions counts each live StdioExtension.
//
// Thread safety: all methods from any thread.

#ifndef GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_H_
#define GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_H_

#include <memory>
#include <string>
#include <vector>

#include "core/base/resource_ledger.h"
#include "core/base/thread_annotations.h"
#include "core/extensions/child_process.h"
#include "core/extensions/extension_config.h"
#include "core/extensions/mcp_client.h"
#include "core/extensions/start_canceller.h"

namespace goose {

struct StdioExtensionOptions {
  // How the process runs: supervision, shim path, working directory, the
  // stop grace of the destructor, stderr bounds. `name` is set from the
  // extension.
  SpawnOptions spawn;
  // A longer stdout line is skipped (see McpClient).
  size_t max_line_bytes = 4 * 1024 * 1024;
  // More variables an extension inherits from the server's environment,
  // besides kMinimalEnvironment (GOOSE_API_EXTENSION_ENV_PASS).
  std::vector<std::string> pass_environment;
};

class StdioExtension {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: config.type == kStdio. Errors: "extension <name> failed to
  // start: cannot run <cmd>: ..." (InvalidArgument), or "extension <name>
  // failed to initialize: <why>; stderr: <tail>" with the client's code
  // (Unavailable when it exited, DeadlineExceeded on timeout, Internal for
  // a protocol error). Nothing is left running on error.
  // `canceller`, when given, can end the start from another thread
  // (Unavailable, "... failed to initialize: ... stopped").
  static Result<std::unique_ptr<StdioExtension>> Start(const ExtensionConfig& config,
                                                       const StdioExtensionOptions& options,
                                                       StartCanceller* canceller = nullptr);

  ~StdioExtension();
  StdioExtension(const StdioExtension&) = delete;
  StdioExtension& operator=(const StdioExtension&) = delete;

  const ExtensionConfig& config() const { return config_; }
  // ExtensionKey(config().name): the prefix of its tool names.
  const std::string& key() const { return key_; }
  const McpServerInfo& server_info() const { return server_info_; }

  // The extension's tools (unprefixed), re-listed if the server announced a
  // change. A failed re-list keeps the last list. The same list (pointer)
  // until it changes. Never null.
  std::shared_ptr<const std::vector<McpTool>> Tools();

  // Calls one tool (unprefixed name).
  ToolResult<std::vector<Json>> Call(const std::string& tool, const Json& arguments);

  // OK while the extension works; else why not (e.g. "extension x exited
  // (signal 9 (SIGKILL))").
  Status health() const { return client_->health(); }

  // See McpClient: RequestStop() never blocks; AwaitStop() and Stop() reap.
  // Idempotent; the destructor stops with the spawn options' stop_grace.
  void RequestStop() { client_->RequestStop(); }
  ExitStatus AwaitStop(Clock::time_point deadline) { return client_->AwaitStop(deadline); }
  ExitStatus Stop(std::chrono::milliseconds grace) { return client_->Stop(grace); }

  McpClient& client() { return *client_; }

 private:
  StdioExtension(ExtensionConfig config, std::unique_ptr<McpClient> client, McpServerInfo info,
                 std::vector<McpTool> tools);

  // First member: counted out only after everything below is freed.
  LedgerEntry counted_{Gauge::kExtensions};
  const ExtensionConfig config_;
  const std::string key_;
  std::unique_ptr<McpClient> client_;
  const McpServerInfo server_info_;
  Mutex tools_mu_;
  std::shared_ptr<const std::vector<McpTool>> tools_ GUARDED_BY(tools_mu_);
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_H_
