// leakcheck's command-line parser and its quote-aware splitter, and the
// scenario/target support table.

#include "scenarios/leakcheck/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/test_util.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/leakcheck/scenario_support.h"
#include "scenarios/targets/attached_target.h"
#include "scenarios/targets/executable_info.h"

namespace goose::leakcheck {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Result<Options> Parse(std::vector<std::string> args) { return ParseOptions(args); }

scenarios::ScenarioInfo Info(const std::string& name) {
  return scenarios::MakeBuiltinScenario(name)->info();
}

std::vector<std::string> Split(std::string_view line) {
  Result<std::vector<std::string>> r = SplitCommandLine(line);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(SplitCommandLine, WordsQuotesAndBackslashes) {
  EXPECT_THAT(Split("goose-api"), ElementsAre("goose-api"));
  EXPECT_THAT(Split("  a   b\tc  "), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Split("server --name 'two words' x"),
              ElementsAre("server", "--name", "two words", "x"));
  EXPECT_THAT(Split(R"(a "b c" d)"), ElementsAre("a", "b c", "d"));
  EXPECT_THAT(Split(R"('$HOME' "$HOME")"), ElementsAre("$HOME", "$HOME"));  // no expansion
  EXPECT_THAT(Split(R"(a\ b)"), ElementsAre("a b"));
  EXPECT_THAT(Split(R"("say \"hi\" \\ \x")"), ElementsAre(R"(say "hi" \ \x)"));
  EXPECT_THAT(Split(R"('it'\''s')"), ElementsAre("it's"));
  EXPECT_THAT(Split(R"(x'y'"z")"), ElementsAre("xyz"));
  EXPECT_THAT(Split("a '' b"), ElementsAre("a", "", "b"));
  EXPECT_THAT(Split("a > b | c"), ElementsAre("a", ">", "b", "|", "c"));  // no shell syntax
}

TEST(SplitCommandLine, RejectsUnbalancedQuotesAndEmptyLines) {
  for (const char* bad : {"'abc", "a \"b c", "x \\", "", "   "}) {
    Result<std::vector<std::string>> r = SplitCommandLine(bad);
    EXPECT_FALSE(r.ok()) << "accepted: [" << bad << "]";
  }
  EXPECT_THAT(SplitCommandLine("'abc").status().message(), HasSubstr("unbalanced '"));
  EXPECT_THAT(SplitCommandLine("\"abc").status().message(), HasSubstr("unbalanced \""));
}

TEST(ParseOptions, RunDefaults) {
  Result<Options> o = Parse({"run"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->command, Command::kRun);
  EXPECT_EQ(o->target, TargetKind::kBuiltin);
  EXPECT_TRUE(o->scenarios.empty());
  EXPECT_EQ(o->iterations, -1);
  EXPECT_EQ(o->warmup, -1);
  EXPECT_EQ(o->concurrency, 0);
  EXPECT_EQ(o->report_dir, "leakcheck-report");
  EXPECT_FALSE(o->json);
}

TEST(ParseOptions, EveryRunOption) {
  Result<Options> o =
      Parse({"run", "--scenario", "stream_drainage", "--scenario=concurrent_sessions", "--target",
             "'my server' --flag \"a b\"", "--port", "9000", "--iterations", "40", "--warmup=3",
             "--concurrency", "2", "--failpoint", "leak_fd", "--report", "out", "--json"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_THAT(o->scenarios, ElementsAre("stream_drainage", "concurrent_sessions"));
  EXPECT_EQ(o->target, TargetKind::kCommand);
  EXPECT_THAT(o->target_argv, ElementsAre("my server", "--flag", "a b"));
  EXPECT_EQ(o->target_command, "'my server' --flag \"a b\"");
  EXPECT_EQ(o->port, 9000);
  EXPECT_EQ(o->iterations, 40);
  EXPECT_EQ(o->warmup, 3);
  EXPECT_EQ(o->concurrency, 2);
  EXPECT_THAT(o->failpoints, ElementsAre("leak_fd"));
  EXPECT_EQ(o->report_dir, "out");
  EXPECT_TRUE(o->json);
}

TEST(ParseOptions, JunitAndMarkdownInBothForms) {
  for (const std::string command : {"run", "mcp"}) {
    std::vector<std::string> args = {command, "--junit", "ci/leakcheck.xml",
                                     "--markdown=summary.md"};
    if (command == "mcp") args.insert(args.end(), {"--", "server"});
    Result<Options> o = Parse(args);
    ASSERT_TRUE(o.ok()) << command << ": " << o.status().message();
    EXPECT_EQ(o->junit_file, "ci/leakcheck.xml");
    EXPECT_EQ(o->markdown_file, "summary.md");
  }
  EXPECT_TRUE(Parse({"run"})->junit_file.empty());
  EXPECT_THAT(Parse({"run", "--junit="}).status().message(), HasSubstr("--junit needs a file"));
  EXPECT_THAT(Parse({"run", "--markdown"}).status().message(), HasSubstr("--markdown needs"));
}

TEST(ParseOptions, Attach) {
  Result<Options> o = Parse({"run", "--url", "http://127.0.0.1:8080", "--pid", "1234", "--key", "k",
                             "--mock-url", "http://127.0.0.1:9"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->target, TargetKind::kAttach);
  EXPECT_EQ(o->pid, 1234);
  EXPECT_EQ(o->key, "k");
}

TEST(ParseOptions, ListProfileAndHelp) {
  EXPECT_EQ(Parse({"list"})->command, Command::kList);
  EXPECT_EQ(Parse({"--help"})->command, Command::kHelp);
  EXPECT_EQ(Parse({"run", "--help"})->command, Command::kHelp);
  Result<Options> p = Parse({"profile", "--scenario", "summarization"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->command, Command::kProfile);
}

// Each bad command line is refused with a message naming the problem.
TEST(ParseOptions, RejectsBadArguments) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "no command"},
      {{"frobnicate"}, "unknown command"},
      {{"run", "--bogus"}, "unknown option"},
      {{"run", "--iterations"}, "needs a value"},
      {{"run", "--iterations", "1"}, "--iterations"},
      {{"run", "--iterations", "ten"}, "--iterations"},
      {{"run", "--warmup", "-1"}, "--warmup"},
      {{"run", "--concurrency", "0"}, "--concurrency"},
      {{"run", "--scenario", "nope"}, "unknown scenario"},
      {{"run", "--failpoint", "nope"}, "unknown failpoint"},
      {{"run", "--target", "'unbalanced"}, "unbalanced"},
      {{"run", "--target", "a", "--target", "b"}, "twice"},
      {{"run", "--url", "http://127.0.0.1:1"}, "go together"},
      {{"run", "--pid", "5"}, "go together"},
      {{"run", "--pid", "x", "--url", "http://127.0.0.1:1"}, "--pid"},
      {{"run", "--url", "http://127.0.0.1:1", "--pid", "5", "--target", "x"}, "pick one"},
      {{"run", "--mock-url", "http://127.0.0.1:1"}, "--mock-url"},
      {{"run", "--port", "80"}, "needs --target"},
      {{"run", "--target", "x", "--port", "70000"}, "--port"},
      {{"run", "--url", "http://127.0.0.1:1", "--pid", "5", "--failpoint", "leak_fd"},
       "already running"},
      {{"profile", "--scenario", "stream_drainage", "--scenario", "summarization"}, "one"},
      {{"list", "--json"}, "list takes no options"},
      {{"run", "--report", ""}, "--report"},
  };
  for (const auto& [args, expected] : cases) {
    Result<Options> o = ParseOptions(args);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    ASSERT_FALSE(o.ok()) << "accepted: " << joined;
    EXPECT_THAT(o.status().message(), HasSubstr(expected)) << joined;
  }
}

TEST(ParseOptions, ExtensionIsSplitLikeTheTarget) {
  Result<Options> o =
      Parse({"run", "--extension", "node 'my server/index.js' --flag", "--target", "srv"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->extension_command, "node 'my server/index.js' --flag");
  EXPECT_THAT(o->extension_argv, ElementsAre("node", "my server/index.js", "--flag"));
  EXPECT_TRUE(Parse({"run", "--extension=npx -y srv"}).ok());

  EXPECT_THAT(Parse({"run", "--extension", "a 'b"}).status().message(), HasSubstr("--extension: "));
  EXPECT_THAT(Parse({"run", "--extension", "a", "--extension", "b"}).status().message(),
              HasSubstr("--extension given twice"));
  EXPECT_THAT(Parse({"mcp", "--extension", "a", "--", "srv"}).status().message(),
              HasSubstr("--extension are for goose-api servers"));
}

TEST(ParseOptions, ProfileIsAnMcpFlagForOneServersCalls) {
  Result<Options> o = Parse({"mcp", "--profile", "--", "srv"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->mcp_profile);
  EXPECT_THAT(Parse({"run", "--profile"}).status().message(), HasSubstr("leakcheck profile"));
  EXPECT_THAT(Parse({"mcp", "--profile", "--scenario", "shutdown", "--", "srv"}).status().message(),
              HasSubstr("starts a fresh server each time"));
  EXPECT_TRUE(Parse({"mcp", "--profile", "--scenario", "cancel", "--", "srv"}).ok());
}

TEST(ScenarioSupport, EveryScenarioHasARowAndBuiltinRunsThemAll) {
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    EXPECT_TRUE(CheckSupported(Info(name), TargetKind::kBuiltin, 0).ok()) << name;
    EXPECT_FALSE(SupportedKinds(Info(name).needs).empty()) << name;
  }
  EXPECT_TRUE(CheckSupported(Info("stream_drainage"), TargetKind::kAttach, 0).ok());
  EXPECT_TRUE(CheckSupported(Info("stream_drainage"), TargetKind::kCommand, 4).ok());
  EXPECT_TRUE(CheckSupported(Info("concurrent_sessions"), TargetKind::kAttach, 8).ok());
}

TEST(ScenarioSupport, RefusesWhatATargetCannotDo) {
  Status s = CheckSupported(Info("server_sigkill"), TargetKind::kCommand, 0);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("restarts"));
  EXPECT_THAT(s.message(), HasSubstr("builtin"));
  EXPECT_FALSE(CheckSupported(Info("timeout_reaping"), TargetKind::kAttach, 0).ok());
  EXPECT_FALSE(CheckSupported(Info("summarization"), TargetKind::kAttach, 0).ok());
  Status c = CheckSupported(Info("summarization"), TargetKind::kBuiltin, 2);
  EXPECT_FALSE(c.ok());
  EXPECT_THAT(c.message(), HasSubstr("--concurrency"));
}

TEST(ParseHttpUrl, HostAndPort) {
  Result<scenarios::HttpEndpoint> e = scenarios::ParseHttpUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8080);
  EXPECT_FALSE(scenarios::ParseHttpUrl("https://x:1").ok());
  EXPECT_FALSE(scenarios::ParseHttpUrl("http://x").ok());
  EXPECT_FALSE(scenarios::ParseHttpUrl("http://x:0").ok());
  EXPECT_FALSE(scenarios::ParseHttpUrl("http://x:1/path").ok());
}

TEST(Progress, BarShowsCountAndSlope) {
  const std::vector<double> samples = {100, 200, 300, 400, 500};
  scenarios::RunProgress p;
  p.phase = scenarios::RunProgress::Phase::kMeasured;
  p.scenario = "stream_drainage";
  p.done = 5;
  p.total = 10;
  p.heap_samples = samples;
  const std::string line = ProgressDisplay::BarLine(p, 10);
  EXPECT_THAT(line, HasSubstr("stream_drainage"));
  EXPECT_THAT(line, HasSubstr("[#####.....]"));
  EXPECT_THAT(line, HasSubstr("5/10"));
  EXPECT_THAT(line, HasSubstr("heap slope 100.0 B/iter"));
}

TEST(Options, SessionTtlAndTtlEnv) {
  Result<Options> o = Parse({"run", "--target", "srv", "--session-ttl", "2.5", "--ttl-env", "TTL"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_DOUBLE_EQ(o->session_ttl, 2.5);
  EXPECT_EQ(o->ttl_env, "TTL");
  o = Parse({"run", "--target", "srv", "--ttl-env", "none", "--session-ttl", "3600"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(o->ttl_env.empty());
  // A target that cannot be told must say what it promises.
  o = Parse({"run", "--target", "srv", "--ttl-env", "none"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("--session-ttl"));
  EXPECT_FALSE(Parse({"run", "--session-ttl", "0"}).ok());
  EXPECT_FALSE(Parse({"run", "--session-ttl", "nan"}).ok());
  EXPECT_FALSE(Parse({"run", "--ttl-env", "A B"}).ok());
  EXPECT_FALSE(Parse({"run", "--heap", "rss"}).ok());
  o = Parse({"run", "--heap", "pss"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->heap, Options::Heap::kPss);
  EXPECT_EQ(Parse({"run"})->heap, Options::Heap::kExact);
}

TEST(Support, ReapingScenariosAttachWhenTheTtlIsStated) {
  EXPECT_TRUE(CheckSupported(Info("timeout_reaping"), TargetKind::kCommand, 0).ok());
  EXPECT_TRUE(CheckSupported(Info("extension_orphans"), TargetKind::kCommand, 0).ok());
  Status s = CheckSupported(Info("timeout_reaping"), TargetKind::kAttach, 0);
  EXPECT_THAT(s.message(), HasSubstr("--session-ttl"));
  EXPECT_TRUE(CheckSupported(Info("timeout_reaping"), TargetKind::kAttach, 0, true).ok());
  EXPECT_FALSE(CheckSupported(Info("summarization"), TargetKind::kAttach, 0, true).ok());
}

// What leakcheck reads from a program file before it preloads anything
// into it (executable_info.h).
TEST(ExecutableInfo, SaysWhenAPreloadCannotApply) {
  using scenarios::InspectExecutable;
  using scenarios::PreloadRefusal;
  // This test program: dynamically linked; its allocator is the build's.
  const scenarios::ExecutableInfo self = InspectExecutable("/proc/self/exe");
  EXPECT_TRUE(self.elf);
  EXPECT_TRUE(self.dynamic);
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
  EXPECT_FALSE(self.sanitizer.empty());
  EXPECT_THAT(PreloadRefusal(self), HasSubstr("build (its runtime replaces malloc)"));
#elif defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  EXPECT_EQ(self.own_allocator, "tcmalloc");
  EXPECT_THAT(PreloadRefusal(self), HasSubstr("its own allocator (tcmalloc)"));
#else
  EXPECT_EQ(PreloadRefusal(self), "");
#endif
  // Debian's ldconfig is a static-pie: no interpreter, no LD_PRELOAD.
  if (std::filesystem::exists("/sbin/ldconfig")) {
    EXPECT_THAT(PreloadRefusal(InspectExecutable("/sbin/ldconfig")),
                HasSubstr("statically linked"));
  }
  // Looked up in PATH like execvp would.
  const scenarios::ExecutableInfo sh = InspectExecutable("sh");
  EXPECT_FALSE(sh.path.empty());
  EXPECT_EQ(PreloadRefusal(sh), "");
  EXPECT_THAT(PreloadRefusal(InspectExecutable("no-such-program-for-leakcheck")),
              HasSubstr("not found"));
  // A script runs its interpreter, assumed on the system allocator.
  testing::ScopedTempDir dir;
  const std::filesystem::path script = dir.path() / "server.sh";
  std::ofstream(script) << "#!/bin/sh\nexec sleep 1\n";
  EXPECT_TRUE(InspectExecutable(script.string()).script);
  EXPECT_EQ(PreloadRefusal(InspectExecutable(script.string())), "");
}

}  // namespace
}  // namespace goose::leakcheck
