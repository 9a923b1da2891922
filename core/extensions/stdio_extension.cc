#include "core/extensions/stdio_extension.h"

#include <cassert>

#include "core/base/log.h"

namespace goose {
namespace {

constexpr size_t kStderrInStartError = 1024;

// `why` with the child's last stderr words, unless it quotes them already.
Status StartFailure(const ExtensionConfig& config, McpClient& client, const Status& why) {
  std::string message = "extension " + config.name + " failed to initialize: " + why.message();
  if (message.find("; stderr: ") == std::string::npos) {
    std::string tail = client.child().StderrShortTail(kStderrInStartError);
    if (!tail.empty()) message += "; stderr: " + tail;
  }
  StatusCode code = why.code() == StatusCode::kCancelled ? StatusCode::kUnavailable : why.code();
  return Status(code, std::move(message));
}

}  // namespace

Result<std::unique_ptr<StdioExtension>> StdioExtension::Start(const ExtensionConfig& config,
                                                              const StdioExtensionOptions& options,
                                                              StartCanceller* canceller) {
  assert(config.type == ExtensionType::kStdio);
  SpawnOptions spawn = options.spawn;
  spawn.name = ExtensionKey(config.name);
  spawn.inherit_only.emplace(std::begin(kMinimalEnvironment), std::end(kMinimalEnvironment));
  spawn.inherit_only->insert(spawn.inherit_only->end(), options.pass_environment.begin(),
                             options.pass_environment.end());
  std::vector<std::string> argv{config.cmd};
  argv.insert(argv.end(), config.args.begin(), config.args.end());
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, config.envs, spawn);
  if (!child.ok()) {
    return Status(child.status().code(),
                  "extension " + config.name + " failed to start: " + child.status().message());
  }

  McpClientOptions client_options;
  client_options.name = spawn.name;
  client_options.timeout = config.timeout;
  client_options.max_line_bytes = options.max_line_bytes;
  auto client = std::make_unique<McpClient>(std::move(*child), client_options);

  // Registered with the canceller for the waits below, and no longer.
  if (canceller != nullptr && !canceller->Enter(client.get())) {
    return Status(StatusCode::kUnavailable,
                  "extension " + config.name + " was not started: its session is ending");
  }
  Result<McpServerInfo> info = client->Initialize();
  Result<std::vector<McpTool>> tools = std::vector<McpTool>();
  if (info.ok()) tools = client->ListTools();
  if (canceller != nullptr) canceller->Leave(client.get());
  if (!info.ok()) return StartFailure(config, *client, info.status());
  if (!tools.ok()) return StartFailure(config, *client, tools.status());
  client->TakeToolsChanged();  // the list just read is current

  GOOSE_LOG(kInfo) << "extension " << config.name << " started (pid " << client->child().pid()
                   << ", MCP " << info->protocol_version << ", " << tools->size() << " tools)";
  return std::unique_ptr<StdioExtension>(
      new StdioExtension(config, std::move(client), std::move(*info), std::move(*tools)));
}

StdioExtension::StdioExtension(ExtensionConfig config, std::unique_ptr<McpClient> client,
                               McpServerInfo info, std::vector<McpTool> tools)
    : config_(std::move(config)),
      key_(ExtensionKey(config_.name)),
      client_(std::move(client)),
      server_info_(std::move(info)),
      tools_(std::make_shared<const std::vector<McpTool>>(std::move(tools))) {}

StdioExtension::~StdioExtension() {
  client_.reset();  // stops the process tree
}

std::shared_ptr<const std::vector<McpTool>> StdioExtension::Tools() {
  MutexLock lock(tools_mu_);
  if (client_->TakeToolsChanged() && client_->health().ok()) {
    Result<std::vector<McpTool>> fresh = client_->ListTools();
    if (fresh.ok()) {
      tools_ = std::make_shared<const std::vector<McpTool>>(std::move(*fresh));
    } else {
      GOOSE_LOG(kWarn) << "extension " << config_.name
                       << ": re-listing tools failed, keeping the last list: "
                       << fresh.status().message();
    }
  }
  return tools_;
}

ToolResult<std::vector<Json>> StdioExtension::Call(const std::string& tool, const Json& arguments) {
  return client_->CallTool(tool, arguments);
}

}  // namespace goose
