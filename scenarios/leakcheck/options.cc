#include "scenarios/leakcheck/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/base/failpoint.h"
#include "core/base/strings.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/mcp/mcp_scenario.h"

namespace goose::leakcheck {
namespace {

bool ParseInt(std::string_view text, int min, int max, int* out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return false;
  if (v < min || v > max) return false;
  *out = v;
  return true;
}

bool KnownFailpoint(const std::string& name) {
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    if (FailpointName(static_cast<Failpoint>(i)) == name) return true;
  }
  return false;
}

std::string FailpointList() {
  std::vector<std::string_view> names;
  for (int i = 0; i < static_cast<int>(Failpoint::kCount); ++i) {
    names.push_back(FailpointName(static_cast<Failpoint>(i)));
  }
  return Join(names, ", ");
}

std::vector<std::string> ScenarioNames(Command command) {
  return command == Command::kMcp ? scenarios::McpScenarioNames()
                                  : scenarios::BuiltinScenarioNames();
}

}  // namespace

std::string_view TargetKindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kBuiltin:
      return "builtin";
    case TargetKind::kCommand:
      return "command";
    case TargetKind::kAttach:
      return "attach";
  }
  return "?";
}

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return InvalidArgument("unbalanced ' in the command line: " + std::string(line));
      }
      word.append(line.substr(i + 1, end - i - 1));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char d = line[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < line.size() &&
            std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
      if (!closed)
        return InvalidArgument("unbalanced \" in the command line: " + std::string(line));
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        return InvalidArgument("the command line ends with a lone backslash: " + std::string(line));
      }
      word += line[i + 1];
      in_word = true;
      i += 2;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return InvalidArgument("the command line is empty");
  return words;
}

namespace {

// What ParseOptions has seen so far, beyond what Options records.
struct Seen {
  bool target = false;  // --target
  bool port = false;    // --port
};

// The command word: run, profile, list or help.
Status ParseCommand(const std::string& command, Options* o) {
  if (command == "run") {
    o->command = Command::kRun;
  } else if (command == "profile") {
    o->command = Command::kProfile;
  } else if (command == "mcp") {
    o->command = Command::kMcp;
  } else if (command == "list") {
    o->command = Command::kList;
  } else if (command == "--help" || command == "-h" || command == "help") {
    o->command = Command::kHelp;
  } else {
    return InvalidArgument("unknown command \"" + command +
                           "\": use run, profile, mcp, list or --help");
  }
  return Status::Ok();
}

// The options that take a value.
bool TakesValue(const std::string& name) {
  static const std::vector<std::string> kValued = {
      "--scenario",    "--target",    "--port",       "--url",    "--pid",         "--mock-url",
      "--key",         "--failpoint", "--iterations", "--warmup", "--concurrency", "--report",
      "--session-ttl", "--ttl-env",   "--heap",       "--calls",  "--shutdown",    "--extension",
      "--junit",       "--markdown",  "--thresholds"};
  return std::find(kValued.begin(), kValued.end(), name) != kValued.end();
}

// The option at args[*i] and its value, as "--opt VALUE" (which moves *i
// past the value) or "--opt=VALUE".
Status SplitValuedOption(std::span<const std::string> args, size_t* i, std::string* name,
                         std::string* value) {
  const std::string& arg = args[*i];
  *name = arg;
  bool has_value = false;
  if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
    *name = arg.substr(0, eq);
    *value = arg.substr(eq + 1);
    has_value = true;
  }
  if (!TakesValue(*name)) return InvalidArgument("unknown option \"" + arg + "\"");
  if (!has_value) {
    if (*i + 1 >= args.size()) return InvalidArgument(*name + " needs a value");
    *value = args[++*i];
  }
  return Status::Ok();
}

// --scenario, --target, --url, --pid, --mock-url, --key: what to run against whom.
Status ApplyTargetOption(const std::string& name, const std::string& value, Options* o,
                         Seen* seen) {
  if (name == "--scenario") {
    const std::vector<std::string> known = ScenarioNames(o->command);
    if (std::find(known.begin(), known.end(), value) == known.end()) {
      return InvalidArgument("unknown scenario \"" + value + "\"; the scenarios are " +
                             Join(known, ", ") + " (leakcheck list)");
    }
    if (std::find(o->scenarios.begin(), o->scenarios.end(), value) == o->scenarios.end()) {
      o->scenarios.push_back(value);
    }
  } else if (name == "--target") {
    if (seen->target) return InvalidArgument("--target given twice");
    seen->target = true;
    Result<std::vector<std::string>> argv = SplitCommandLine(value);
    if (!argv.ok()) return InvalidArgument("--target: " + argv.status().message());
    o->target_command = value;
    o->target_argv = std::move(*argv);
  } else if (name == "--extension") {
    if (!o->extension_command.empty()) return InvalidArgument("--extension given twice");
    Result<std::vector<std::string>> argv = SplitCommandLine(value);
    if (!argv.ok()) return InvalidArgument("--extension: " + argv.status().message());
    o->extension_command = value;
    o->extension_argv = std::move(*argv);
  } else if (name == "--url") {
    o->url = value;
  } else if (name == "--pid") {
    int pid = 0;
    if (!ParseInt(value, 1, 1 << 30, &pid)) {
      return InvalidArgument("--pid must be a process id, not \"" + value + "\"");
    }
    o->pid = pid;
  } else if (name == "--mock-url") {
    o->mock_url = value;
  } else if (name == "--key") {
    o->key = value;
  }
  return Status::Ok();
}

// --port, --iterations, --warmup, --concurrency: the whole numbers.
Status ApplyCountOption(const std::string& name, const std::string& value, Options* o, Seen* seen) {
  if (name == "--port") {
    if (!ParseInt(value, 1, 65535, &o->port)) {
      return InvalidArgument("--port must be a port number 1-65535, not \"" + value + "\"");
    }
    seen->port = true;
  } else if (name == "--iterations") {
    if (!ParseInt(value, 2, 1000000, &o->iterations)) {
      return InvalidArgument("--iterations must be an integer >= 2, not \"" + value + "\"");
    }
  } else if (name == "--warmup") {
    if (!ParseInt(value, 0, 1000000, &o->warmup)) {
      return InvalidArgument("--warmup must be an integer >= 0, not \"" + value + "\"");
    }
  } else if (name == "--concurrency") {
    if (!ParseInt(value, 1, 256, &o->concurrency)) {
      return InvalidArgument("--concurrency must be an integer 1-256, not \"" + value + "\"");
    }
  }
  return Status::Ok();
}

// --session-ttl and --ttl-env: how the target reaps and how it is told.
Status ApplyTtlOption(const std::string& name, const std::string& value, Options* o) {
  if (name == "--session-ttl") {
    char* end = nullptr;
    const double ttl = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(ttl) || ttl < 0.01 ||
        ttl > 1e6) {
      return InvalidArgument("--session-ttl must be seconds between 0.01 and 1000000, not \"" +
                             value + "\"");
    }
    o->session_ttl = ttl;
  } else if (name == "--ttl-env") {
    const bool valid_name = !value.empty() && value.find_first_not_of(
                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                                                  "wxyz0123456789_") == std::string::npos;
    if (value != "none" && !valid_name) {
      return InvalidArgument("--ttl-env must be an environment variable name or none, not \"" +
                             value + "\"");
    }
    o->ttl_env = value == "none" ? "" : value;
  }
  return Status::Ok();
}

// --failpoint, --heap, --report, --junit, --markdown, --thresholds: how to
// measure and judge, and where the report goes.
Status ApplyMeasureOption(const std::string& name, const std::string& value, Options* o) {
  if (name == "--failpoint") {
    if (!KnownFailpoint(value)) {
      return InvalidArgument("unknown failpoint \"" + value + "\"; the failpoints are " +
                             FailpointList());
    }
    o->failpoints.push_back(value);
  } else if (name == "--heap" && o->command == Command::kMcp) {
    if (value != "auto" && value != "exact" && value != "node" && value != "pss") {
      return InvalidArgument("--heap must be auto, exact, node or pss, not \"" + value + "\"");
    }
    o->mcp_heap = value;
  } else if (name == "--heap") {
    if (value != "exact" && value != "pss") {
      return InvalidArgument("--heap must be exact or pss, not \"" + value + "\"");
    }
    o->heap = value == "exact" ? Options::Heap::kExact : Options::Heap::kPss;
  } else if (name == "--calls") {
    o->calls_file = value;
  } else if (name == "--shutdown") {
    if (value != "strict" && value != "report") {
      return InvalidArgument("--shutdown must be strict or report, not \"" + value + "\"");
    }
    o->shutdown_strict = value == "strict";
  } else if (name == "--report") {
    if (value.empty()) return InvalidArgument("--report needs a directory");
    o->report_dir = value;
  } else if (name == "--junit" || name == "--markdown") {
    if (value.empty()) return InvalidArgument(name + " needs a file name");
    (name == "--junit" ? o->junit_file : o->markdown_file) = value;
  } else if (name == "--thresholds") {
    if (value.empty()) return InvalidArgument("--thresholds needs a file name");
    if (!o->thresholds_file.empty()) {
      return InvalidArgument("--thresholds given twice: put every row in one file");
    }
    o->thresholds_file = value;
  }
  return Status::Ok();
}

Status ApplyOption(const std::string& name, const std::string& value, Options* o, Seen* seen) {
  if (Status s = ApplyTargetOption(name, value, o, seen); !s.ok()) return s;
  if (Status s = ApplyCountOption(name, value, o, seen); !s.ok()) return s;
  if (Status s = ApplyTtlOption(name, value, o); !s.ok()) return s;
  return ApplyMeasureOption(name, value, o);
}

// leakcheck mcp: a command after --, and none of the goose-api target's
// options.
Status CheckMcpCombination(const Seen& seen, const Options& o) {
  if (o.mcp_argv.empty()) {
    return InvalidArgument(
        "leakcheck mcp needs the MCP server's command after --, e.g. "
        "leakcheck mcp -- npx -y @modelcontextprotocol/server-memory");
  }
  if (o.mcp_profile) {
    for (const std::string& name : o.scenarios) {
      if (name == "shutdown" || name == "wrapper") {
        return InvalidArgument("--profile follows one server through its measured calls; " + name +
                               " starts a fresh server each time: profile calls, cancel "
                               "or concurrency");
      }
    }
  }
  if (seen.target || seen.port || !o.url.empty() || o.pid != 0 || !o.failpoints.empty() ||
      o.session_ttl != 0 || !o.mock_url.empty() || !o.extension_argv.empty()) {
    return InvalidArgument(
        "--target, --port, --url, --pid, --mock-url, --failpoint, --session-ttl and --extension "
        "are for goose-api servers (leakcheck run); leakcheck mcp takes the server's command "
        "after --");
  }
  return Status::Ok();
}

// The rules between options, once all are read; sets o->target.
Status CheckCombination(const Seen& seen, Options* o) {
  if (o->command == Command::kMcp) return CheckMcpCombination(seen, *o);
  if (!o->calls_file.empty() || !o->shutdown_strict || o->mcp_heap != "auto") {
    return InvalidArgument("--calls, --shutdown and --heap auto|node are for leakcheck mcp");
  }
  const bool attach = !o->url.empty() || o->pid != 0;
  if (attach && (o->url.empty() || o->pid == 0)) {
    return InvalidArgument("--url and --pid go together: the server's URL and its process id");
  }
  if (attach && seen.target) {
    return InvalidArgument("--target starts a server, --url/--pid attach to one: pick one");
  }
  if (!o->mock_url.empty() && !attach) {
    return InvalidArgument(
        "--mock-url is for --url/--pid only (other targets get their own mock-llm)");
  }
  if (seen.port && !seen.target) {
    return InvalidArgument("--port is the port given to the --target command; it needs --target");
  }
  if (attach && !o->failpoints.empty()) {
    return InvalidArgument(
        "--failpoint cannot switch faults in a server that is already running; start it with "
        "GOOSE_API_FAILPOINTS, or use --target");
  }
  if (o->ttl_env.empty() && o->session_ttl == 0) {
    return InvalidArgument(
        "--ttl-env none says the target cannot be told its session TTL; say what it reaps "
        "after with --session-ttl SECS (the original goose-api's is 3600)");
  }
  o->target = attach        ? TargetKind::kAttach
              : seen.target ? TargetKind::kCommand
                            : TargetKind::kBuiltin;
  if (o->command == Command::kProfile && o->scenarios.size() > 1) {
    return InvalidArgument("profile takes one --scenario (it profiles one run)");
  }
  return Status::Ok();
}

}  // namespace

Result<Options> ParseOptions(std::span<const std::string> args) {
  Options o;
  if (args.empty()) return InvalidArgument("no command: use run, profile, list or --help");
  if (Status s = ParseCommand(args[0], &o); !s.ok()) return s;
  if (o.command == Command::kHelp) return o;
  Seen seen;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.command = Command::kHelp;
      return o;
    }
    if (o.command == Command::kList) {
      return InvalidArgument("list takes no options (got \"" + arg + "\")");
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg == "--profile") {
      if (o.command != Command::kMcp) {
        return InvalidArgument(
            "--profile is for leakcheck mcp; a goose-api server is profiled with leakcheck "
            "profile");
      }
      o.mcp_profile = true;
      continue;
    }
    if (arg == "--" && o.command == Command::kMcp) {
      o.mcp_argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    // Every other option takes a value, as "--opt VALUE" or "--opt=VALUE".
    std::string name, value;
    if (Status s = SplitValuedOption(args, &i, &name, &value); !s.ok()) return s;
    if (Status s = ApplyOption(name, value, &o, &seen); !s.ok()) return s;
  }
  if (Status s = CheckCombination(seen, &o); !s.ok()) return s;
  return o;
}

namespace {

// What `leakcheck --help` prints.
constexpr std::string_view kUsageText =
    R"(usage: leakcheck run [--scenario NAME]... [TARGET] [--iterations N] [--warmup N]
                     [--concurrency C] [--failpoint NAME]... [--report DIR] [--json]
                     [--junit FILE] [--markdown FILE] [--thresholds FILE]
       leakcheck profile [--scenario NAME] [TARGET] [--iterations N] [--warmup N] [--report DIR]
       leakcheck mcp [--scenario NAME]... [--iterations N] [--warmup N] [--concurrency C]
                     [--calls FILE] [--heap auto|exact|node|pss] [--shutdown strict|report]
                     [--profile] [--report DIR] [--json] [--junit FILE] [--markdown FILE]
                     [--thresholds FILE] -- CMD ARGS...
       leakcheck list
       leakcheck --help

Runs the leak-gate scenarios against a goose-api compatible server and judges, from
outside, whether it leaks: memory (PSS), fds, threads, descendant processes, live
streams and sessions (when the server publishes its ledger in GET /metrics), and the
mock provider's undrained streams.

TARGET (default: our goose-api and mock-llm from this build, on free loopback ports):
  --target 'CMD ARGS'   start CMD (split like a shell would, without one: '...', "..."
                        and \ quote) with its provider pointed at a mock-llm running the
                        scenario's script, its sessions in a fresh temporary folder, and
                        GOOSE_API_PORT/GOOSE_API_KEY set; see docs/leakcheck.md for the
                        whole environment
  --port N              the port --target's command is told to use (default: a free one)
  --url URL --pid PID   attach to a server already running (http://HOST:PORT and its pid)
  --mock-url URL        with --url: the mock-llm that server talks to, for its statistics
  --key KEY             the server's x-api-key for --url (default: $GOOSE_API_KEY)
  --extension 'CMD ARGS'
                        the stdio MCP server the sessions of extension_orphans,
                        timeout_reaping and server_sigkill run (as the extension "mcp",
                        split like --target) instead of mock-mcp: your server judged
                        together with the extension you deploy

OPTIONS
  --scenario NAME       run this scenario (repeatable; default: every one the target
                        supports, see `leakcheck list`)
  --iterations N        measured iterations (default: each scenario's own)
  --warmup N            warm-up iterations, discarded (default: each scenario's own)
  --concurrency C       clients at once in each iteration; stream_drainage and
                        concurrent_sessions only (others refuse it)
  --session-ttl SECS    the idle TTL after which the target reaps a session (default:
                        each reaping scenario's own, 0.15-0.5 s, told to a started
                        target through --ttl-env); with --url, the reaping scenarios
                        run only when it is given
  --ttl-env NAME|none   the variable that tells a started target its TTL (default
                        GOOSE_API_SESSION_TIMEOUT_SECS); none: it cannot be told, and
                        --session-ttl (required then) is waited out in each iteration
  --heap exact|pss      exact (default): preload an allocation counter into a started
                        target (LD_PRELOAD; PYTHONMALLOC=malloc for Python) and judge its
                        live malloc bytes; a target it cannot count (static, its own
                        allocator, a sanitizer build, --url) falls back to PSS with a
                        note. pss: resident memory only
  --failpoint NAME      start our goose-api (or the --target command) with this fault on
                        (GOOSE_API_FAILPOINTS), e.g. partial_drain, leak_fd, no_reap
  --report DIR          where report.json and report.html go (default ./leakcheck-report)
  --json                print report.json to stdout instead of the verdict table
  --junit FILE          also write the verdicts as JUnit XML: one test case per scenario,
                        a leak or a peak over budget a failure naming the series, its
                        slope, bounds and threshold; an error an error; a skip skipped
  --markdown FILE       also write a Markdown summary (the verdict table, the worst slopes,
                        a link to report.html), e.g. for $GITHUB_STEP_SUMMARY
  --thresholds FILE     heap thresholds of your own, read before the built-in ones (first
                        match wins): {"thresholds": [{"scenario": "stream_drainage",
                        "backend": "*", "bytes_per_iteration": 2048, "per_request": false,
                        "reason": "why"}]}; the report names the file and the reason

mcp starts CMD ARGS (no shell) as a stdio MCP server, with HOME and its working folder
a fresh temporary folder, speaks MCP to it over stdin/stdout, and runs the scenarios
calls, cancel, concurrency, shutdown and wrapper (default: all): heap growth per call
(live malloc bytes through the preloaded counter for native and Python servers, V8's
heap after a full collection for Node, PSS otherwise; --heap overrides), fds, threads,
descendants, and how the server ends when its stdin closes (then SIGTERM, SIGKILL) and
what it leaves running.
  --calls FILE          the requests to repeat, {"requests": [{"method", "params"}...]},
                        "{{i}}" in a string is the iteration (default: the lists the
                        server announces, ping, and every tool that requires no argument)
  --shutdown strict     (default) a server that does not exit when its stdin closes, or
                        leaves a process running, fails the run; report: listed only
  --concurrency C       threads sending the script at once in concurrency (default 8)
  --profile             name what grew (default scenario: calls): a Node.js server gets two
                        V8 heap snapshots (before and after the measured calls) compared by
                        constructor, counts and retained sizes; a native or Python server
                        gets gperftools' heap profiler preloaded (its heap series is then
                        PSS) and google-pprof's diff of two profiles, by allocation site

profile needs goose-api from a heapprof build (it serves GET /debug/heap): it takes a
heap profile before and after the measured iterations and writes the diff (top growing
allocation sites, and an SVG call graph when google-pprof and dot are installed).

Answers that differ from our goose-api's (a 200 warning where ours answers 500, a
"Reply: " prefix, no "summary" field) are findings, listed with their counts; the
scenario goes on measuring. It stops only when it cannot go on (no answer, no session).

Exit status: 1 a leak found in any scenario (whatever else happened); 2 no leak found
but nothing could be judged or a scenario could not finish (bad arguments, the target
did not start, died, or is not a goose-api server); 0 every scenario that ran is clean
(scenarios a target cannot run are listed as skipped, with the reason).
)";

}  // namespace

std::string UsageText() { return std::string(kUsageText); }

}  // namespace goose::leakcheck
