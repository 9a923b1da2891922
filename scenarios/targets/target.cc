#include "scenarios/targets/target.h"

#include <httplib.h>

#include <iterator>
#include <utility>

#include "core/base/strings.h"
#include "harness/test_server.h"

namespace goose::scenarios {

struct InProcessTarget::Parts {
  testing::TestServerOptions options;
  std::unique_ptr<testing::TestServer> server;
};

namespace {

constexpr char kUseHeapprof[] =
    "leakcheck profile needs goose-api from a heapprof build, which serves GET /debug/heap: "
    "cmake --preset heapprof && cmake --build --preset heapprof, then run "
    "build/heapprof/bin/leakcheck profile (or --target build/heapprof/bin/goose-api)";

}  // namespace

std::string MockMcpPath() { return GOOSE_MOCK_MCP_PATH; }

ExtensionCommand MockMcpExtension() { return {MockMcpPath(), {}, true}; }

ExtensionCommand UserExtension(std::vector<std::string> argv) {
  ExtensionCommand e;
  e.is_mock_mcp = false;
  if (argv.empty()) return e;
  e.cmd = std::move(argv.front());
  e.args.assign(std::make_move_iterator(argv.begin() + 1), std::make_move_iterator(argv.end()));
  return e;
}

std::string ExtensionText(const ExtensionCommand& extension) {
  std::string text = extension.cmd;
  if (!extension.args.empty()) text += " " + Join(extension.args, " ");
  return text;
}

Json ExtensionConfig(const ExtensionCommand& extension) {
  return {{"type", "stdio"},        {"name", "mcp"},          {"cmd", extension.cmd},
          {"args", extension.args}, {"envs", Json::object()}, {"timeout", 30}};
}

Result<std::string> Target::DumpHeapProfile() {
  httplib::Client client(host(), port());
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(120));
  httplib::Result res = client.Get("/debug/heap", {{"x-api-key", api_key()}});
  const std::string where = "http://" + host() + ":" + std::to_string(port()) + "/debug/heap";
  if (!res) return Status(StatusCode::kUnavailable, "no answer from GET " + where);
  if (res->status == 404) {
    return InvalidArgument("the target has no GET /debug/heap (404). " + std::string(kUseHeapprof));
  }
  if (res->status != 200) {
    return InvalidArgument("GET " + where + " answered " + std::to_string(res->status) + ": " +
                           res->body.substr(0, 300) + ". " + kUseHeapprof);
  }
  if (res->body.rfind("heap profile:", 0) != 0 && res->body.rfind("heap_v2/", 0) != 0) {
    return InvalidArgument("GET " + where +
                           " did not answer with a gperftools heap profile (it starts \"" +
                           res->body.substr(0, 60) + "\"). " + kUseHeapprof);
  }
  return std::move(res->body);
}

std::string HeapSeriesName(const Target& target) {
  if (target.heap_observable()) return "allocator (in process)";
  const std::string pid = std::to_string(target.pid());
  const std::string_view kind = target.external_heap_kind();
  if (kind == "pss-sanitizer")
    return "pss of pid " + pid + " (a sanitizer build: recorded, not judged)";
  if (kind == "malloc")
    return "live malloc bytes of pid " + pid + " (the preloaded allocation counter)";
  if (kind == "pss-tcmalloc") return "pss of pid " + pid + " (a tcmalloc build)";
  if (!kind.empty()) return std::string(kind) + " of pid " + pid;
  return "not observable";
}

std::unique_ptr<ApiClient> ConnectTo(const Target& target, std::chrono::milliseconds read_timeout) {
  return std::make_unique<ApiClient>(target.host(), target.port(), target.api_key(), read_timeout);
}

InProcessTarget::InProcessTarget(TargetRequirements requirements)
    : api_key_("gate-key"), parts_(std::make_unique<Parts>()) {
  testing::TestServerOptions& options = parts_->options;
  options.script = std::move(requirements.script);
  options.stdio_extensions = requirements.stdio_extensions;
  options.stack.registry.ttl = requirements.session_ttl;
  options.stack.registry.max_sessions = requirements.max_sessions;
  options.stack.http.limits.threads = requirements.server_threads;
  options.stack.api_key = api_key_;
}

InProcessTarget::InProcessTarget(testing::TestServerOptions options)
    : api_key_(options.stack.api_key), parts_(std::make_unique<Parts>()) {
  parts_->options = std::move(options);
}

InProcessTarget::~InProcessTarget() {
  if (parts_->server) parts_->server->Shutdown();
  parts_.reset();
  KillStrayDescendants();
}

Status InProcessTarget::Start() {
  parts_->server = std::make_unique<testing::TestServer>(parts_->options);
  sessions_dir_ = parts_->server->sessions_dir();
  return parts_->server->Start();
}

testing::TestServer& InProcessTarget::server() { return *parts_->server; }

int InProcessTarget::port() const { return parts_->server ? parts_->server->port() : -1; }

std::optional<LedgerSnapshot> InProcessTarget::Ledger() const {
  return ResourceLedger::Global().Snapshot();
}

std::optional<mock::MockStats> InProcessTarget::MockStats() const {
  if (!parts_->server || parts_->server->mock_provider() == nullptr) return std::nullopt;
  return parts_->server->mock_provider()->stats().Snapshot();
}

int64_t InProcessTarget::Descendants() const {
  return static_cast<int64_t>(orphans_.Descendants().size());
}

int InProcessTarget::KillStrayDescendants() {
  // In-process, every descendant of the harness is the server's doing: the
  // extension children it owns right now are killed too, which only ever
  // happens after the gate has measured.
  return orphans_.KillAndReapAll();
}

}  // namespace goose::scenarios
