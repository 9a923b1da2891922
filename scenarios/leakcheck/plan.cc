#include "scenarios/leakcheck/plan.h"

#include <httplib.h>
#include <sys/utsname.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "core/base/strings.h"
#include "core/base/utc_time.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/scenario_support.h"
#include "scenarios/mcp/mcp_scenario.h"
#include "scenarios/probe/heap_gauge.h"
#include "scenarios/runner/runner.h"
#include "scenarios/targets/program_launch.h"

namespace goose::leakcheck {
namespace {

using scenarios::TargetSpec;

// The least warm-up before an external heap series is judged: PSS (see
// thresholds.cc), and live malloc bytes (clean servers measured flat after
// a few iterations; 20 covers an interpreter's lazy first imports).
constexpr int kPssWarmup = 50;
constexpr int kExactHeapWarmup = 20;
// V8's used heap after a full collection keeps rising while functions get
// hot (feedback vectors, compiled code): measured on server-everything,
// 1.4 KiB/iteration over iterations 20-220, 0.26 KiB/iteration over
// 300-600 (docs/leakcheck.md, "MCP servers").
constexpr int kV8Warmup = 200;

// goose::FormatSeconds, in hours past two of them: "3600 s", "33.0 h".
std::string FormatWait(double seconds) {
  if (seconds < 7200) return FormatSeconds(std::chrono::milliseconds(std::llround(seconds * 1000)));
  return FormatFixed(seconds / 3600, 1) + " h";
}

// Where and what leakcheck ran: preset, heap backend of leakcheck's own
// build, compiler, library versions, kernel, machine, cpu count.
Json EnvironmentJson() {
  Json env = Json::object();
  env["preset"] = scenarios::PresetName();
  env["leakcheck_heap_backend"] = std::string(probe::HeapGauge::Backend());
#if defined(__clang__)
  env["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  env["compiler"] = std::string("gcc ") + __VERSION__;
#endif
  env["cpp_httplib"] = CPPHTTPLIB_VERSION;
  env["nlohmann_json"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  utsname u{};
  if (::uname(&u) == 0) {
    env["kernel"] = std::string(u.sysname) + " " + u.release;
    env["machine"] = u.machine;
    env["hostname"] = u.nodename;
  }
  env["cpu_count"] = std::thread::hardware_concurrency();
  return env;
}

// {"kind": "builtin"|"command"|"attach", "command", "url", "pid", ...}.
Json TargetKindJson(const Options& options) {
  if (options.command == Command::kMcp) {
    return {{"kind", "mcp"},
            {"command", Join(options.mcp_argv, " ")},
            {"argv", options.mcp_argv},
            {"heap", options.mcp_heap},
            {"calls", options.calls_file.empty() ? "default script" : options.calls_file.string()},
            {"shutdown", options.shutdown_strict ? "strict" : "report"},
            {"profile", options.mcp_profile},
            {"description", "a stdio MCP server, spoken to over its stdin and stdout"}};
  }
  Json t = {{"kind", std::string(TargetKindName(options.target))}};
  switch (options.target) {
    case TargetKind::kBuiltin:
      t["command"] = scenarios::GooseApiPath();
      t["description"] = "our goose-api and mock-llm from this build, on free loopback ports";
      break;
    case TargetKind::kCommand:
      t["command"] = options.target_command;
      t["description"] = "a --target command with mock-llm, watched from outside";
      break;
    case TargetKind::kAttach:
      t["url"] = options.url;
      t["pid"] = options.pid;
      if (!options.mock_url.empty()) t["mock_url"] = options.mock_url;
      t["description"] = "a server already running, watched through /proc of its pid";
      break;
  }
  if (!options.failpoints.empty()) t["failpoints"] = options.failpoints;
  if (options.concurrency > 0) t["concurrency"] = options.concurrency;
  if (!options.extension_argv.empty()) {
    t["extension"] = options.extension_command;
    t["extension_argv"] = options.extension_argv;
  }
  return t;
}

// The target, and the thresholds file it is judged with when given.
Json TargetJson(const Options& options) {
  Json t = TargetKindJson(options);
  if (!options.thresholds_file.empty()) t["thresholds"] = options.thresholds_file.string();
  return t;
}

// An MCP server, as `leakcheck mcp` starts it.
scenarios::McpTargetOptions McpOptions(const Options& o) {
  scenarios::McpTargetOptions m;
  m.argv = o.mcp_argv;
  m.heap = o.mcp_heap;
  m.profile = o.mcp_profile;
  return m;
}

// The MCP scenario `name`, on its own server.
PlannedScenario PlanMcpScenario(const Options& o, const std::string& name) {
  scenarios::McpScenarioOptions options;
  options.calls_file = o.calls_file;
  options.target = McpOptions(o);
  options.strict_shutdown = o.shutdown_strict;
  if (o.concurrency > 0) options.clients = o.concurrency;
  PlannedScenario p;
  p.scenario = scenarios::MakeMcpScenario(name, options);
  p.target.kind = TargetSpec::Kind::kMcp;
  p.target.mcp = McpOptions(o);
  p.heap_kind = scenarios::ExpectedMcpHeapKind(p.target.mcp);
  p.counts = PlanCounts(p.scenario->info(), o, p.heap_kind);
  return p;
}

std::string ServerText(const Options& o) {
  if (o.command == Command::kMcp) return "`" + Join(o.mcp_argv, " ") + "`";
  if (o.target == TargetKind::kBuiltin) return "our goose-api";
  if (o.target == TargetKind::kCommand) return "`" + o.target_command + "`";
  return o.url + " (pid " + std::to_string(o.pid) + ")";
}

std::string TargetText(const Options& o) {
  if (o.extension_argv.empty()) return ServerText(o);
  return ServerText(o) + " with the extension `" + o.extension_command + "`";
}

// A server leakcheck starts, as a command watched from outside.
TargetSpec CommandSpec(const Options& o) {
  using HeapWatch = scenarios::CommandTargetOptions::HeapWatch;
  TargetSpec spec;
  spec.kind = TargetSpec::Kind::kCommand;
  scenarios::CommandTargetOptions& c = spec.command;
  c.argv = o.target == TargetKind::kBuiltin ? std::vector<std::string>{scenarios::GooseApiPath()}
                                            : o.target_argv;
  c.port = o.port;
  c.ttl_env = o.ttl_env;
  if (o.command == Command::kProfile) {
    // Our goose-api serves its own profile (heapprof); another program
    // gets gperftools' heap profiler preloaded. Sampled profiles for GET
    // /debug/heap (ignored outside heapprof): one per 512 KiB allocated.
    c.heap = o.target == TargetKind::kCommand ? HeapWatch::kProfiler : HeapWatch::kPss;
    c.extra_env["TCMALLOC_SAMPLE_PARAMETER"] = "524288";
  } else {
    c.heap = o.heap == Options::Heap::kExact ? HeapWatch::kExact : HeapWatch::kPss;
  }
  if (!o.failpoints.empty()) c.extra_env["GOOSE_API_FAILPOINTS"] = Join(o.failpoints, ",");
  return spec;
}

TargetSpec SpecFor(const Options& o, const scenarios::ScenarioInfo& info) {
  if (o.target == TargetKind::kAttach) {
    TargetSpec spec;
    spec.kind = TargetSpec::Kind::kAttach;
    spec.pid = o.pid;
    spec.api_key = o.key;
    if (spec.api_key.empty()) {
      if (const char* k = std::getenv("GOOSE_API_KEY"); k != nullptr) spec.api_key = k;
    }
    return spec;  // the URLs are parsed by MakePlan
  }
  if (info.needs.separate_processes) {
    TargetSpec spec;
    spec.kind = TargetSpec::Kind::kProcess;
    spec.extra_env = {{"GOOSE_API_FAILPOINTS", Join(o.failpoints, ",")}};
    return spec;
  }
  return CommandSpec(o);
}

// The heap series `spec` is expected to give.
std::string ExpectedHeapKind(const TargetSpec& spec) {
  using HeapWatch = scenarios::CommandTargetOptions::HeapWatch;
  if (spec.kind == TargetSpec::Kind::kProcess || spec.kind == TargetSpec::Kind::kInProcess) {
    return "";
  }
  if (spec.kind == TargetSpec::Kind::kCommand && spec.command.heap == HeapWatch::kExact) {
    return "malloc";
  }
  return "pss";
}

// The scenario `name`, configured as the options say; or why it cannot
// run on this target (`explicit_choice`: an error, else a skip).
Result<PlannedScenario> PlanScenario(const Options& o, const std::string& name,
                                     bool explicit_choice) {
  PlannedScenario p;
  p.scenario = scenarios::MakeBuiltinScenario(name);
  const scenarios::ScenarioInfo& info = p.scenario->info();
  if (Status s = CheckSupported(info, o.target, o.concurrency, o.session_ttl > 0); !s.ok()) {
    if (explicit_choice) return s;
    p.skipped_reason = s.message();
  }
  if (o.command == Command::kProfile && info.needs.separate_processes) {
    return InvalidArgument(name +
                           " restarts the server, so one heap profile cannot span it; "
                           "profile another scenario");
  }
  if (o.concurrency > 0) p.scenario->SetConcurrency(o.concurrency);
  // A server we did not write may answer differently from ours: findings.
  p.scenario->SetLenient(o.target != TargetKind::kBuiltin);
  if (o.session_ttl > 0) p.scenario->SetSessionTtl(std::chrono::duration<double>(o.session_ttl));
  if (!o.extension_argv.empty()) {
    p.scenario->SetExtension(scenarios::UserExtension(o.extension_argv));
  }
  p.target = SpecFor(o, p.scenario->info());
  p.heap_kind = ExpectedHeapKind(p.target);
  p.counts = PlanCounts(p.scenario->info(), o, p.heap_kind);
  return p;
}

std::vector<std::string> ChosenNames(const Options& o) {
  if (!o.scenarios.empty()) return o.scenarios;
  if (o.command == Command::kMcp && o.mcp_profile) return {"calls"};
  if (o.command == Command::kMcp) return scenarios::McpScenarioNames();
  if (o.command == Command::kProfile) return {"stream_drainage"};
  return scenarios::BuiltinScenarioNames();
}

Status ParseUrls(const Options& o, TargetSpec& spec) {
  Result<scenarios::HttpEndpoint> server = scenarios::ParseHttpUrl(o.url);
  if (!server.ok()) return InvalidArgument("--url: " + server.status().message());
  spec.url = *server;
  if (!o.mock_url.empty()) {
    Result<scenarios::HttpEndpoint> mock = scenarios::ParseHttpUrl(o.mock_url);
    if (!mock.ok()) return InvalidArgument("--mock-url: " + mock.status().message());
    spec.mock_url = *mock;
  }
  return Status::Ok();
}

}  // namespace

scenarios::IterationCounts PlanCounts(const scenarios::ScenarioInfo& info, const Options& options,
                                      std::string_view heap_kind) {
  const int least = heap_kind.empty() || info.needs.fresh_servers ? 0
                    : heap_kind == "malloc"                       ? kExactHeapWarmup
                    : heap_kind == "v8"                           ? kV8Warmup
                                                                  : kPssWarmup;
  return scenarios::CountsFor(info, options.warmup, options.iterations, least);
}

std::string TtlNote(const PlannedScenario& planned, const Options& options) {
  if (options.session_ttl <= 0 || !options.ttl_env.empty()) return "";
  if (!planned.scenario->info().needs.session_ttl) return "";
  const int iterations = planned.counts.total();
  const double wait = options.session_ttl * iterations;
  if (wait <= 600) return "";
  return planned.scenario->info().name + " waits out the target's " +
         FormatWait(options.session_ttl) + " TTL in each of its " + std::to_string(iterations) +
         " iterations: about " + FormatWait(wait) +
         " (a target that can be told a shorter TTL: --ttl-env)";
}

Result<Plan> MakePlan(const Options& o) {
  Plan plan;
  plan.command = o.command;
  plan.target_text = TargetText(o);
  plan.target = TargetJson(o);
  plan.environment = EnvironmentJson();
  plan.created = UtcNow();
  plan.report_dir = o.report_dir;
  bool runs_extension = false;
  for (const std::string& name : ChosenNames(o)) {
    if (o.command == Command::kMcp) {
      plan.scenarios.push_back(PlanMcpScenario(o, name));
      continue;
    }
    Result<PlannedScenario> p = PlanScenario(o, name, !o.scenarios.empty());
    if (!p.ok()) return p.status();
    runs_extension =
        runs_extension || (p->skipped_reason.empty() && p->scenario->info().needs.extension);
    if (p->target.kind == TargetSpec::Kind::kAttach) {
      if (Status s = ParseUrls(o, p->target); !s.ok()) return s;
    }
    plan.scenarios.push_back(std::move(*p));
  }
  if (!o.extension_argv.empty() && !runs_extension) {
    return InvalidArgument(
        "--extension is run by the scenarios whose sessions start an extension "
        "(extension_orphans, timeout_reaping, server_sigkill); none of the chosen ones runs");
  }
  return plan;
}

}  // namespace goose::leakcheck
