// leakcheck's command line: parsed into Options by a pure function (no
// I/O, no process state), so every rule is unit-tested; running is
// leakcheck.h's job.
//
//   leakcheck run [--scenario NAME]... [--target 'CMD ARGS' [--port N]]
//                 [--url URL --pid PID [--mock-url URL]] [--key KEY]
//                 [--failpoint NAME]... [--iterations N] [--warmup N]
//                 [--concurrency C] [--session-ttl SECS] [--ttl-env NAME|none]
//                 [--heap exact|pss] [--extension 'CMD ARGS'] [--report DIR] [--json]
//                 [--junit FILE] [--markdown FILE] [--thresholds FILE]
//   leakcheck profile [same target options] [--scenario NAME] [...]
//   leakcheck mcp [--scenario NAME]... [--iterations N] [--warmup N]
//                 [--concurrency C] [--calls FILE] [--heap auto|exact|node|pss]
//                 [--shutdown strict|report] [--profile] [--report DIR] [--json]
//                 [--junit FILE] [--markdown FILE] [--thresholds FILE] -- CMD ARGS...
//   leakcheck list
//   leakcheck --help | help

#ifndef GOOSE_SCENARIOS_LEAKCHECK_OPTIONS_H_
#define GOOSE_SCENARIOS_LEAKCHECK_OPTIONS_H_

#include <sys/types.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"

namespace goose::leakcheck {

// Exit statuses.
inline constexpr int kExitClean = 0;  // every scenario clean
inline constexpr int kExitLeak = 1;   // a leak found
inline constexpr int kExitUsage = 2;  // bad arguments, or the target/environment failed

enum class Command { kRun, kProfile, kMcp, kList, kHelp };

enum class TargetKind {
  kBuiltin,  // our goose-api and mock-llm, started by leakcheck
  kCommand,  // --target: any command, with mock-llm
  kAttach,   // --url/--pid: a server already running
};

std::string_view TargetKindName(TargetKind kind);  // "builtin", "command", "attach"

struct Options {
  Command command = Command::kHelp;
  std::vector<std::string> scenarios;  // empty: every scenario the target supports
  TargetKind target = TargetKind::kBuiltin;
  std::string target_command;            // --target as given
  std::vector<std::string> target_argv;  // --target split (SplitCommandLine)
  int port = 0;                          // --port: for --target; 0 = a free one
  std::string url;                       // --url
  pid_t pid = 0;                         // --pid
  std::string mock_url;                  // --mock-url (attach only)
  std::string key;                       // --key; empty: $GOOSE_API_KEY for attach
  std::vector<std::string> failpoints;   // --failpoint (builtin and command only)
  // --extension: the stdio MCP server the extension scenarios' sessions run
  // instead of mock-mcp, as given and split (SplitCommandLine).
  std::string extension_command;
  std::vector<std::string> extension_argv;
  int iterations = -1;  // -1: each scenario's default
  int warmup = -1;
  int concurrency = 0;  // 0: each scenario's default
  // The idle TTL the target reaps sessions after (--session-ttl); 0: each
  // reaping scenario's own, told to the target through ttl_env.
  double session_ttl = 0;
  // The environment variable that tells a started target its TTL
  // (--ttl-env); empty (--ttl-env none): the target cannot be told, and
  // session_ttl is what it promises, waited out.
  std::string ttl_env = "GOOSE_API_SESSION_TIMEOUT_SECS";
  // --heap: how a started target's heap is seen. kExact preloads an
  // allocation counter (falling back to PSS, with a note, where it cannot
  // count); kPss is the resident memory only.
  enum class Heap { kExact, kPss } heap = Heap::kExact;
  std::filesystem::path report_dir = "leakcheck-report";
  bool json = false;
  // --junit FILE, --markdown FILE: the verdicts for a CI engine
  // (ci_summary.h); empty: not written.
  std::filesystem::path junit_file;
  std::filesystem::path markdown_file;
  // --thresholds FILE: heap thresholds read before the built-in ones
  // (threshold_file.h; read when the run starts, not here); empty: none.
  std::filesystem::path thresholds_file;

  // leakcheck mcp [OPTIONS] -- CMD ARGS...
  std::vector<std::string> mcp_argv;  // the MCP server's command, after --
  std::filesystem::path calls_file;   // --calls; empty: the default script
  // --heap for an MCP server: auto (from its runtime), exact, node or pss.
  std::string mcp_heap = "auto";
  bool shutdown_strict = true;  // --shutdown strict|report
  // --profile: attribution of what grew (V8 heap snapshots for Node.js,
  // gperftools' heap profiler for native and Python servers).
  bool mcp_profile = false;
};

// Parses the arguments after the program name. Errors are InvalidArgument
// with a message that says what is wrong and what to do (the caller adds
// "see leakcheck --help" and exits kExitUsage). Scenario and failpoint
// names are checked against the built-in lists.
Result<Options> ParseOptions(std::span<const std::string> args);

// Splits a command line into argv without a shell: words separated by
// blanks; '...' keeps everything literally; "..." keeps everything but a
// backslash escapes " \ $ ` inside it; outside quotes a backslash escapes
// any character. No globbing, variables or redirection. Errors:
// InvalidArgument for an unbalanced quote, a trailing backslash, or no
// word at all.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// The --help text.
std::string UsageText();

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_OPTIONS_H_
