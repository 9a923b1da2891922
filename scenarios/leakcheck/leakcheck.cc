#include "scenarios/leakcheck/leakcheck.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "core/base/json.h"
#include "core/base/strings.h"
#include "scenarios/leakcheck/heap_diff.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/leakcheck/scenario_support.h"
#include "scenarios/targets/attached_target.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/targets/command_target.h"
#include "scenarios/targets/process_target.h"
#include "scenarios/runner/runner.h"

namespace goose::leakcheck {
namespace {

using scenarios::Target;

// The least warm-up before an external heap series is judged: PSS (see
// thresholds.cc), and live malloc bytes (clean servers measured flat after
// a few iterations; 20 covers an interpreter's lazy first imports).
constexpr int kPssWarmup = 50;
constexpr int kExactHeapWarmup = 20;

// goose::FormatSeconds, in hours past two of them: "3600 s", "33.0 h".
std::string FormatWait(double seconds) {
  if (seconds < 7200) return FormatSeconds(std::chrono::milliseconds(std::llround(seconds * 1000)));
  char text[32];
  std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  return text;
}

std::string JoinedFailpoints(const Options& o) {
  std::string list;
  for (const std::string& f : o.failpoints) list += (list.empty() ? "" : ",") + f;
  return list;
}

// A started target for one scenario, and how to ask whether it died.
struct StartedTarget {
  std::unique_ptr<Target> owned;  // builtin and command targets
  Target* target = nullptr;
  std::function<std::string()> exit_description;  // "" while it runs
  std::string heap_note;  // why the heap is not watched as --heap asked ("" when it is)
  // A heap profile of the target now: GET /debug/heap (our heapprof
  // goose-api), or a dump of the heap profiler preloaded into a command.
  std::function<Result<std::string>()> dump_profile;
};

Result<StartedTarget> StartTarget(const Options& o, const scenarios::Scenario& scenario,
                                  scenarios::AttachedTarget* attached) {
  StartedTarget started;
  const scenarios::TargetRequirements requirements = scenario.requirements();
  const std::string failpoints = JoinedFailpoints(o);
  if (o.target == TargetKind::kAttach) {
    started.target = attached;
    started.exit_description = [attached] {
      return attached->Exited() ? std::string("the attached process is gone") : std::string();
    };
    return started;
  }
  if (SupportOf(scenario.info().name).needs_process_target) {
    auto t = std::make_unique<scenarios::ProcessTarget>(
        requirements, std::map<std::string, std::string>{{"GOOSE_API_FAILPOINTS", failpoints}});
    if (Status s = t->Start(); !s.ok()) return s;
    started.target = t.get();
    started.exit_description = [] { return std::string(); };
    started.owned = std::move(t);
    return started;
  }
  scenarios::CommandTargetOptions options;
  options.argv = o.target == TargetKind::kBuiltin
                     ? std::vector<std::string>{scenarios::GooseApiPath()}
                     : o.target_argv;
  options.port = o.port;
  options.ttl_env = o.ttl_env;
  using HeapWatch = scenarios::CommandTargetOptions::HeapWatch;
  if (o.command == Command::kProfile) {
    // Our goose-api serves its own profile (heapprof); another program gets
    // gperftools' heap profiler preloaded.
    options.heap = o.target == TargetKind::kCommand ? HeapWatch::kProfiler : HeapWatch::kPss;
  } else {
    options.heap = o.heap == Options::Heap::kExact ? HeapWatch::kExact : HeapWatch::kPss;
  }
  if (!failpoints.empty()) options.extra_env["GOOSE_API_FAILPOINTS"] = failpoints;
  // Sampled heap profiles for GET /debug/heap in heapprof builds (ignored
  // elsewhere): one sample per 512 KiB allocated on average.
  if (o.command == Command::kProfile) options.extra_env["TCMALLOC_SAMPLE_PARAMETER"] = "524288";
  auto t = std::make_unique<scenarios::CommandTarget>(requirements, options);
  if (Status s = t->Start(); !s.ok()) return s;
  scenarios::CommandTarget* raw = t.get();
  started.target = raw;
  started.exit_description = [raw] { return raw->ExitDescription(); };
  started.heap_note = raw->heap_note();
  if (options.heap == HeapWatch::kProfiler) {
    started.dump_profile = [raw] { return raw->DumpHeapProfile(); };
  }
  started.owned = std::move(t);
  return started;
}

std::string HeapSeriesName(const Target& target) {
  if (target.heap_observable()) return "allocator (in process)";
  if (target.external_heap_kind() == "pss-sanitizer") {
    return "pss of pid " + std::to_string(target.pid()) +
           " (a sanitizer build: recorded, not judged)";
  }
  if (target.external_heap_kind() == "malloc") {
    return "live malloc bytes of pid " + std::to_string(target.pid()) +
           " (the preloaded allocation counter)";
  }
  if (target.external_heap_kind() == "pss-tcmalloc") {
    return "pss of pid " + std::to_string(target.pid()) + " (a tcmalloc build)";
  }
  if (!target.external_heap_kind().empty()) {
    return std::string(target.external_heap_kind()) + " of pid " + std::to_string(target.pid());
  }
  return "not observable";
}

// An error result for a scenario that could not run at all.
Json ErrorResult(const std::string& scenario, const std::string& error) {
  scenarios::ScenarioResult r;
  r.scenario = scenario;
  r.error = error;
  r.preset = scenarios::PresetName();
  return r.ToJson();
}

int ListScenarios(std::FILE* out) {
  std::fprintf(out, "%-26s %-22s %-11s %s\n", "scenario", "targets", "concurrency",
               "what it does / what it measures");
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    std::unique_ptr<scenarios::Scenario> s = scenarios::MakeBuiltinScenario(name);
    const ScenarioSupport support = SupportOf(name);
    std::fprintf(out, "%-26s %-22s %-11s %s\n", name.c_str(), SupportedKinds(name).c_str(),
                 support.concurrency ? "yes" : "no", s->info().description.c_str());
    std::fprintf(out, "%-26s %-22s %-11s measures: %s\n", "", "", "", s->info().measures.c_str());
    if (!support.why_not.empty()) {
      std::fprintf(out, "%-26s %-22s %-11s not everywhere: %s\n", "", "", "",
                   support.why_not.c_str());
    }
  }
  std::fprintf(out,
               "\ntargets: builtin = our goose-api + mock-llm (the default); command = --target "
               "'CMD ARGS' with mock-llm; attach = --url URL --pid PID (attach*: only with "
               "--session-ttl SECS, the TTL the attached server reaps after)\n");
  return kExitClean;
}

// The scenarios to run, or an error for an unsupported explicit choice.
Result<std::vector<std::string>> ChooseScenarios(const Options& o,
                                                 std::vector<std::string>* notes) {
  std::vector<std::string> chosen;
  if (!o.scenarios.empty()) {
    for (const std::string& name : o.scenarios) {
      if (Status s = CheckSupported(name, o.target, o.concurrency, o.session_ttl > 0); !s.ok()) {
        return s;
      }
      if (o.command == Command::kProfile && SupportOf(name).needs_process_target) {
        return InvalidArgument(name +
                               " restarts the server, so one heap profile cannot span it; "
                               "profile another scenario");
      }
      chosen.push_back(name);
    }
    return chosen;
  }
  if (o.command == Command::kProfile) return std::vector<std::string>{"stream_drainage"};
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    if (Status s = CheckSupported(name, o.target, o.concurrency, o.session_ttl > 0); !s.ok()) {
      notes->push_back("skipped " + name + ": " + s.message());
      continue;
    }
    chosen.push_back(name);
  }
  return chosen;
}

}  // namespace

int RunLeakcheck(const Options& o, std::FILE* out, std::FILE* err, bool err_is_terminal) {
  if (o.command == Command::kHelp) {
    std::fprintf(out, "%s", UsageText().c_str());
    return kExitClean;
  }
  if (o.command == Command::kList) return ListScenarios(out);

  std::vector<std::string> notes;
  Result<std::vector<std::string>> chosen = ChooseScenarios(o, &notes);
  if (!chosen.ok()) {
    std::fprintf(err, "leakcheck: %s\n", chosen.status().message().c_str());
    return kExitUsage;
  }

  // Attach: one target for every scenario, validated before anything runs.
  std::unique_ptr<scenarios::AttachedTarget> attached;
  if (o.target == TargetKind::kAttach) {
    Result<scenarios::HttpEndpoint> server = scenarios::ParseHttpUrl(o.url);
    if (!server.ok()) {
      std::fprintf(err, "leakcheck: --url: %s\n", server.status().message().c_str());
      return kExitUsage;
    }
    scenarios::HttpEndpoint mock;
    if (!o.mock_url.empty()) {
      Result<scenarios::HttpEndpoint> m = scenarios::ParseHttpUrl(o.mock_url);
      if (!m.ok()) {
        std::fprintf(err, "leakcheck: --mock-url: %s\n", m.status().message().c_str());
        return kExitUsage;
      }
      mock = *m;
    }
    std::string key = o.key;
    if (key.empty()) {
      if (const char* k = std::getenv("GOOSE_API_KEY"); k != nullptr) key = k;
    }
    attached = std::make_unique<scenarios::AttachedTarget>(*server, o.pid, key, mock);
    if (Status s = attached->Validate(); !s.ok()) {
      std::fprintf(err, "leakcheck: %s\n", s.message().c_str());
      return kExitUsage;
    }
  }

  ProgressDisplay display(err, err_is_terminal);
  for (const std::string& note : notes) display.Note(note);
  const std::string target_text = o.target == TargetKind::kBuiltin ? "our goose-api"
                                  : o.target == TargetKind::kCommand
                                      ? "`" + o.target_command + "`"
                                      : o.url + " (pid " + std::to_string(o.pid) + ")";

  std::vector<Json> results;
  for (const std::string& name : *chosen) {
    std::unique_ptr<scenarios::Scenario> scenario = scenarios::MakeBuiltinScenario(name);
    if (o.concurrency > 0) scenario->SetConcurrency(o.concurrency);
    // A server we did not write may answer differently from ours: findings.
    scenario->SetLenient(o.target != TargetKind::kBuiltin);
    if (o.session_ttl > 0 &&
        scenario->SetSessionTtl(std::chrono::duration<double>(o.session_ttl))) {
      const int iterations = (o.warmup < 0 ? scenario->info().warmup : o.warmup) +
                             (o.iterations < 0 ? scenario->info().iterations : o.iterations);
      const double wait = o.session_ttl * iterations;
      if (o.ttl_env.empty() && wait > 600) {
        display.Note(name + " waits out the target's " + FormatWait(o.session_ttl) +
                     " TTL in each of its " + std::to_string(iterations) + " iterations: about " +
                     FormatWait(wait) + " (a target that can be told a shorter TTL: --ttl-env)");
      }
    }
    display.ScenarioStarting(name, target_text);

    Result<StartedTarget> started = StartTarget(o, *scenario, attached.get());
    if (!started.ok()) {
      const std::string error = "cannot start the target: " + started.status().message();
      display.Note(name + ": " + error);
      results.push_back(ErrorResult(name, error));
      break;  // the environment is broken: every other scenario would fail the same way
    }
    Target& target = *started->target;
    // What the server's own /metrics says, when it is not our ledger (the
    // original goose-api counts session files there): shown as it is.
    const std::optional<Json> metrics_before = target.ForeignMetrics();

    // profile: the heap profiles around the measured iterations.
    std::string before, after, profile_error, binary;
    if (!started->dump_profile) {
      started->dump_profile = [&target] { return FetchHeapProfile(target); };
    }
    if (!started->heap_note.empty()) display.Note(name + ": " + started->heap_note);
    if (o.command == Command::kProfile) {
      Result<std::string> probe = started->dump_profile();
      if (!probe.ok()) {
        std::fprintf(err, "\nleakcheck: %s\n", probe.status().message().c_str());
        return kExitUsage;
      }
      std::error_code ec;
      binary = std::filesystem::read_symlink("/proc/" + std::to_string(target.pid()) + "/exe", ec);
    }
    scenarios::ProgressCallback show = display.Callback();
    scenarios::RunOptions run;
    run.iterations = o.iterations;
    run.warmup = o.warmup;
    if (o.warmup < 0 && !target.heap_observable() && !target.external_heap_kind().empty()) {
      // A fresh server's PSS rises while its malloc arenas reach their
      // high-water mark (docs/leakcheck.md, "Thresholds"); an exact heap
      // only while first requests load what they use (lazy imports, pools).
      const bool exact = target.external_heap_kind() == "malloc";
      run.warmup = std::max(scenario->info().warmup, exact ? kExactHeapWarmup : kPssWarmup);
    }
    run.progress = [&](const scenarios::RunProgress& p) {
      if (o.command == Command::kProfile) {
        using Phase = scenarios::RunProgress::Phase;
        if (p.phase == Phase::kMeasuring || p.phase == Phase::kSettling) {
          Result<std::string> heap = started->dump_profile();
          if (!heap.ok()) {
            profile_error = heap.status().message();
          } else {
            (p.phase == Phase::kMeasuring ? before : after) = std::move(*heap);
          }
        }
      }
      show(p);
    };
    scenarios::ScenarioResult result = scenarios::Runner(run).RunOn(*scenario, target);
    if (!result.error.empty()) {
      if (const std::string gone = started->exit_description(); !gone.empty()) {
        result.error = "the target died during the run (" + gone + "); " + result.error;
      }
    }
    display.ScenarioFinished(result);
    Json json = result.ToJson();
    json["heap_series"] = HeapSeriesName(target);
    if (!started->heap_note.empty()) json["heap_note"] = started->heap_note;
    if (metrics_before) {
      json["target_metrics"] = {
          {"label",
           "the target's own GET /metrics, as it answered (not our ledger: e.g. goose-api's "
           "active_sessions counts session files on disk, not live sessions)"},
          {"before", *metrics_before},
          {"after", target.ForeignMetrics().value_or(Json(nullptr))}};
    }
    if (o.command == Command::kProfile && result.error.empty()) {
      if (!profile_error.empty() || before.empty() || after.empty()) {
        json["error"] = "heap profile: " + (profile_error.empty() ? "not taken" : profile_error);
        json["verdict"] = "error";
      } else {
        Result<HeapDiff> diff = DiffHeapProfiles(o.report_dir, name, binary, before, after);
        if (!diff.ok()) {
          json["error"] = "heap profile diff: " + diff.status().message();
          json["verdict"] = "error";
        } else {
          json["heap_profile_diff"] = diff->top_sites;
          json["heap_profile_text"] = diff->text_file.filename().string();
          if (!diff->svg_file.empty())
            json["heap_profile_svg"] = diff->svg_file.filename().string();
          display.Note("top growing allocation sites (" + diff->text_file.string() + "):\n" +
                       diff->top_sites);
        }
      }
    }
    results.push_back(std::move(json));
  }

  const Json report = BuildReport(TargetJson(o, scenarios::GooseApiPath()), results, notes);
  if (Status s = WriteReport(o.report_dir, report); !s.ok()) {
    std::fprintf(err, "leakcheck: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (o.json) {
    std::fprintf(out, "%s\n", JsonDump(report).c_str());
  } else {
    std::fprintf(out, "%s", VerdictTable(report).c_str());
  }
  const std::filesystem::path dir = std::filesystem::absolute(o.report_dir);
  std::fprintf(err, "report: %s and %s\n", (dir / "report.json").c_str(),
               (dir / "report.html").c_str());
  const int status = ExitStatusOf(report);
  if (status == kExitUsage) {
    std::fprintf(err,
                 "leakcheck: a scenario could not finish (the error is above and in the report); "
                 "fix the target or the environment and run again\n");
  }
  return status;
}

}  // namespace goose::leakcheck
