// leakcheck mcp end to end: bin/leakcheck judges stdio MCP servers, ours
// and real ones from the npm registry (ci/node_modules, pinned), and each
// canary fails its own series: mock-mcp's leak switches (heap bytes, an fd,
// a thread, a child process per call; ignoring stdin's close), the Python
// and Node.js fixtures' heap switch. And leakcheck run --extension: our
// server with a user's extension. Nothing leakcheck started is left.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "scenarios/leakcheck/tests/leakcheck_fixture.h"

namespace goose::leakcheck {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN) || \
    defined(GOOSE_HEAP_BACKEND_TCMALLOC)
// mock-mcp is built with the sanitizer (or tcmalloc) too: no preloaded
// counter, PSS.
constexpr bool kMockMcpHeapIsExact = false;
#else
constexpr bool kMockMcpHeapIsExact = true;
#endif

std::string Source(const std::string& path) { return std::string(GOOSE_SOURCE_DIR) + "/" + path; }

class LeakcheckMcpTest : public LeakcheckTest {
 protected:
  void SetUp() override {
    echo_script_ = scripts_.path() / "echo.json";
    ASSERT_TRUE(WriteFile(echo_script_,
                          R"({"requests": [{"method": "tools/call", "params": {"name": "echo",)"
                          R"( "arguments": {"text": "hi {{i}}"}}}, {"method": "ping"}]})")
                    .ok());
  }

  // leakcheck mcp OPTIONS --report DIR -- COMMAND.
  RunOutcome Mcp(std::vector<std::string> options, const std::vector<std::string>& command) {
    options.insert(options.begin(), "mcp");
    options.push_back("--report");
    options.push_back(reports_.path().string());
    options.push_back("--");
    options.insert(options.end(), command.begin(), command.end());
    return Leakcheck(options);
  }

  std::vector<std::string> Calls(std::vector<std::string> options = {}) {
    options.insert(options.begin(), {"--calls", echo_script_.string()});
    return options;
  }

  static std::vector<std::string> Strings(const Json& list) {
    std::vector<std::string> out;
    for (const Json& s : list) out.push_back(s.is_string() ? s.get<std::string>() : "");
    return out;
  }

  std::filesystem::path echo_script_;
  testing::ScopedTempDir scripts_;
};

TEST_F(LeakcheckMcpTest, MockMcpIsCleanInEveryScenario) {
  RunOutcome run = Mcp(Calls({"--iterations", "20", "--warmup", "3"}), {BinPath("mock-mcp")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json report = Report();
  EXPECT_EQ(report["target"].value("kind", ""), "mcp");
  for (const char* name : {"calls", "cancel", "concurrency", "shutdown", "wrapper"}) {
    const Json* r = ResultOf(report, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->value("verdict", ""), "clean") << name << ": " << JsonDump(*r).substr(0, 2000);
  }
  const Json* shutdown = ResultOf(report, "shutdown");
  ASSERT_NE(shutdown, nullptr);
  ASSERT_EQ((*shutdown)["shutdown"].size(), 23u);  // every start, warm-up included
  EXPECT_EQ((*shutdown)["shutdown"][0].value("ended_by", ""), "stdin closed");
  if (kMockMcpHeapIsExact) {
    EXPECT_THAT(ResultOf(report, "calls")->value("heap_series", ""), HasSubstr("live malloc"));
  }
  ExpectNothingLeftBehind();
}

struct Canary {
  const char* flag;
  const char* scenario;
  const char* series;  // the series that must leak, or "" for a violation
  const char* violation;
};

class McpCanaryTest : public LeakcheckMcpTest, public ::testing::WithParamInterface<Canary> {};

TEST_P(McpCanaryTest, FailsItsOwnSeries) {
  const Canary c = GetParam();
  std::vector<std::string> command = {BinPath("mock-mcp")};
  for (const std::string& word : {std::string(c.flag)}) {
    const size_t space = word.find(' ');
    command.push_back(word.substr(0, space));
    if (space != std::string::npos) command.push_back(word.substr(space + 1));
  }
  // Fresh servers are few: each that ignores its stdin's close costs the
  // grace (2 s) before its SIGTERM.
  const bool fresh = std::string(c.scenario) == "shutdown";
  RunOutcome run = Mcp(Calls({"--scenario", c.scenario, "--iterations", fresh ? "2" : "60",
                              "--warmup", fresh ? "0" : "5"}),
                       command);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, c.scenario);
  ASSERT_NE(r, nullptr) << run.err;
  EXPECT_EQ(r->value("verdict", ""), "leak") << JsonDump(*r).substr(0, 2000);
  if (*c.series != '\0') {
    EXPECT_THAT(Strings((*r)["leaking_series"]), Contains(c.series));
  } else {
    ASSERT_FALSE((*r)["violations"].empty());
    EXPECT_THAT(Strings((*r)["violations"])[0], HasSubstr(c.violation));
  }
  ExpectNothingLeftBehind();
}

// The heap switch where mock-mcp's heap is exact (the Python and Node.js
// fixtures prove the heap path in every build).
std::vector<Canary> MockMcpCanaries() {
  std::vector<Canary> canaries = {
      {"--leak-fd-per-call", "calls", "open_fds", ""},
      {"--leak-thread-per-call", "cancel", "threads", ""},
      {"--leak-child-per-call", "calls", "descendants", ""},
      {"--leak-child-per-call", "shutdown", "", "left sleep 3600 running"},
      {"--ignore-stdin-close", "shutdown", "",
       "did not exit when its stdin closed; ended by SIGTERM"}};
  if (kMockMcpHeapIsExact)
    canaries.push_back({"--leak-bytes-per-call 64", "calls", "heap_bytes", ""});
  return canaries;
}

INSTANTIATE_TEST_SUITE_P(MockMcp, McpCanaryTest, ::testing::ValuesIn(MockMcpCanaries()),
                         [](const ::testing::TestParamInfo<Canary>& info) {
                           std::string name =
                               std::string(info.param.scenario) + "_" + info.param.flag;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// The same server, its findings listed instead of failing the run (mock-mcp
// announces neither logging nor subscriptions: both starts are given the
// script alone).
TEST_F(LeakcheckMcpTest, ShutdownReportListsWithoutFailing) {
  RunOutcome run =
      Mcp(Calls({"--scenario", "shutdown", "--iterations", "2", "--shutdown", "report"}),
          {BinPath("mock-mcp"), "--ignore-stdin-close"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("deviation (2x): did not exit when its stdin closed; ended by "
                                 "SIGTERM (given the script)"));
  ExpectNothingLeftBehind();
}

// The Python and Node.js fixtures: a clean run of each, and their heap
// switch caught on the heap series of their runtime.
TEST_F(LeakcheckMcpTest, PythonAndNodeServersAreJudgedOnTheirOwnHeap) {
  struct Case {
    std::vector<std::string> command;
    const char* heap;  // what heap_series says
    bool leaks;
  };
  const std::vector<Case> cases = {
      {{"python3", BinPath("mcp_fixture.py")}, "live malloc bytes", false},
      {{"python3", BinPath("mcp_fixture.py"), "--leak-bytes-per-call", "64"},
       "live malloc bytes",
       true},
      {{"node", BinPath("mcp_fixture.js")}, "v8 of pid", false},
      {{"node", BinPath("mcp_fixture.js"), "--leak-bytes-per-call", "256"}, "v8 of pid", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(Join(c.command, " "));
    RunOutcome run = Mcp(Calls({"--scenario", "calls"}), c.command);
    EXPECT_EQ(run.exit_code, c.leaks ? 1 : 0) << run.out << run.err;
    const Json report = Report();
    const Json* r = ResultOf(report, "calls");
    ASSERT_NE(r, nullptr) << run.err;
    EXPECT_THAT(r->value("heap_series", ""), HasSubstr(c.heap));
    EXPECT_EQ(r->value("leaking_series", Json::array()).size(), c.leaks ? 1u : 0u)
        << JsonDump((*r)["leaking_series"]);
  }
  ExpectNothingLeftBehind();
}

// Two servers no one here wrote, from the npm registry at pinned versions,
// with the call scripts in scenarios/mcp/scripts: clean.
TEST_F(LeakcheckMcpTest, ReferenceServersAreClean) {
  const std::string modules = Source("ci/node_modules");
  ASSERT_TRUE(std::filesystem::exists(modules + "/.bin/mcp-server-everything"))
      << "run ci/install-deps --npm";
  ASSERT_TRUE(std::filesystem::exists(modules + "/@modelcontextprotocol/server-memory"));
  struct Case {
    std::vector<std::string> command;
    const char* script;
  };
  const std::vector<Case> cases = {
      {{modules + "/.bin/mcp-server-everything", "stdio"},
       "scenarios/mcp/scripts/server-everything.json"},
      // Its graph file in the run's fresh working folder, not in its package.
      {{"sh", "-c",
        "MEMORY_FILE_PATH=\"$PWD/memory.jsonl\" exec node " + modules +
            "/@modelcontextprotocol/server-memory/dist/index.js"},
       "scenarios/mcp/scripts/server-memory.json"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.script);
    RunOutcome run = Mcp({"--scenario", "calls", "--calls", Source(c.script)}, c.command);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    const Json report = Report();
    const Json* r = ResultOf(report, "calls");
    ASSERT_NE(r, nullptr) << run.err;
    EXPECT_EQ(r->value("verdict", ""), "clean") << JsonDump(*r).substr(0, 3000);
    EXPECT_THAT(r->value("heap_series", ""), HasSubstr("v8 of pid"));
    EXPECT_TRUE(r->value("deviations", Json::array()).empty()) << JsonDump((*r)["deviations"]);
  }
  ExpectNothingLeftBehind();
}

// --profile names what grew. A Node.js server: two V8 heap snapshots
// compared by constructor; the fixture keeps a padded string per call, so
// a string group gains at least one node per measured call.
TEST_F(LeakcheckMcpTest, ProfileNamesTheConstructorANodeServerKeeps) {
  RunOutcome run = Mcp(Calls({"--profile", "--iterations", "100"}),
                       {"node", BinPath("mcp_fixture.js"), "--leak-bytes-per-call", "256"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("V8 heap growth by constructor"));
  const Json report = Report();
  const Json* r = ResultOf(report, "calls");
  ASSERT_NE(r, nullptr) << run.err;
  const Json& findings = *r;  // findings are fields of the result
  ASSERT_TRUE(findings.contains("v8_heap_growth_top")) << JsonDump(findings).substr(0, 2000);
  bool named = false;
  int rank = 0;
  for (const Json& g : findings["v8_heap_growth_top"]) {
    if (g.value("list", "") != "added" || ++rank > 3) continue;
    const int64_t grown = g.value("count_after", int64_t{0}) - g.value("count_before", int64_t{0});
    named =
        named || (g.value("constructor", "").find("string") != std::string::npos && grown >= 100);
  }
  EXPECT_TRUE(named) << findings.value("v8_heap_growth", "");
  for (const Json& file : findings["v8_heap_snapshots"]) {
    EXPECT_TRUE(std::filesystem::exists(reports_.path() / file.get<std::string>())) << file;
  }
  EXPECT_EQ(findings["v8_heap_snapshots"].size(), 2u);
  ExpectNothingLeftBehind();
}

// A Python server (Debian's interpreter, not a wrapper): gperftools' heap
// profiler preloaded, and google-pprof's diff holds what it kept: 4 KiB
// per measured call.
TEST_F(LeakcheckMcpTest, ProfileMeasuresWhatAPythonServerKeeps) {
  RunOutcome run =
      Mcp(Calls({"--profile", "--iterations", "100"}),
          {"/usr/bin/python3", BinPath("mcp_fixture.py"), "--leak-bytes-per-call", "4096"});
  const Json report = Report();
  const Json* r = ResultOf(report, "calls");
  ASSERT_NE(r, nullptr) << run.out << run.err;
  EXPECT_NE(r->value("verdict", ""), "error") << JsonDump(*r).substr(0, 3000);
  EXPECT_THAT(r->value("heap_note", ""), HasSubstr("heap profiler is preloaded"));
  const std::string diff = r->value("heap_profile_diff", "");
  long long total = -1;
  ASSERT_EQ(std::sscanf(diff.c_str(), "Total: %lld B", &total), 1) << diff;
  EXPECT_GE(total, 100 * 4096 * 9 / 10) << diff;
  if (kMockMcpHeapIsExact) {
    // A native one: the diff names the function that keeps the bytes.
    RunOutcome native = Mcp(Calls({"--profile", "--iterations", "50"}),
                            {BinPath("mock-mcp"), "--leak-bytes-per-call", "4096"});
    const Json native_report = Report();
    const Json* n = ResultOf(native_report, "calls");
    ASSERT_NE(n, nullptr) << native.err;
    EXPECT_THAT(n->value("heap_profile_diff", ""), HasSubstr("LeakPerCall")) << native.err;
  }
  ExpectNothingLeftBehind();
}

// leakcheck run --extension: our goose-api with the user's MCP server as
// every session's extension. It really runs in each session (the wrapper
// writes a line per start), and its verdict is the server's.
TEST_F(LeakcheckMcpTest, RunWithTheUserExtensionStartsItInEverySession) {
  const std::filesystem::path marker = scripts_.path() / "starts.txt";
  const std::string extension =
      "sh -c 'echo started >> " + marker.string() + "; exec " + BinPath("mock-mcp") + "'";
  RunOutcome run = Leakcheck(WithReport({"run", "--scenario", "extension_orphans", "--extension",
                                         extension, "--iterations", "6", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json report = Report();
  EXPECT_EQ(report["target"].value("extension", ""), extension);
  const Json* r = ResultOf(report, "extension_orphans");
  ASSERT_NE(r, nullptr) << run.err;
  EXPECT_EQ(r->value("verdict", ""), "clean") << JsonDump(*r).substr(0, 3000);
  // One start per session: 8 iterations (each starts one session), and the
  // server's own check of the extension when it is added (twice at setup
  // and after each removal) may add more, never fewer.
  Result<std::string> starts = ReadFile(marker);
  ASSERT_TRUE(starts.ok()) << "the extension never ran: " << run.err;
  EXPECT_GE(std::count(starts->begin(), starts->end(), '\n'), 8) << *starts;
  ExpectNothingLeftBehind();
}

// A real extension from the npm registry with our server: clean.
TEST_F(LeakcheckMcpTest, RunWithARealExtensionIsClean) {
  const std::string server =
      Source("ci/node_modules/@modelcontextprotocol/server-memory/dist/index.js");
  ASSERT_TRUE(std::filesystem::exists(server)) << "run ci/install-deps --npm";
  RunOutcome run = Leakcheck(WithReport({"run", "--scenario", "extension_orphans", "--extension",
                                         "node " + server, "--iterations", "6", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "extension_orphans");
  ASSERT_NE(r, nullptr) << run.err;
  EXPECT_EQ(r->value("verdict", ""), "clean") << JsonDump(*r).substr(0, 3000);
  ExpectNothingLeftBehind();
}

// The canary: an extension that leaves a child of its own running, with a
// server that stops only an extension's direct child (leak_child): every
// session leaves that child behind, and descendants grows. (Without
// leak_child the extension supervision ends that child with the session:
// the same run is clean.)
TEST_F(LeakcheckMcpTest, RunWithAnExtensionWhoseChildOutlivesItLeaks) {
  const std::string extension = "sh -c 'sleep 300 & exec " + BinPath("mock-mcp") + "'";
  RunOutcome run =
      Leakcheck(WithReport({"run", "--scenario", "extension_orphans", "--failpoint", "leak_child",
                            "--extension", extension, "--iterations", "4", "--warmup", "1"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "extension_orphans");
  ASSERT_NE(r, nullptr) << run.err;
  EXPECT_EQ(r->value("verdict", ""), "leak");
  EXPECT_THAT(Strings((*r)["leaking_series"]), Contains("descendants"))
      << JsonDump((*r)["leaking_series"]);
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckMcpTest, ACommandThatIsNotAnMcpServerExits2) {
  RunOutcome run = Mcp({"--scenario", "calls"}, {"sh", "-c", "echo not json; sleep 1"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("did not initialize"));
  RunOutcome usage = Leakcheck({"mcp", "--scenario", "calls"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("after --"));
  ExpectNothingLeftBehind();
}

}  // namespace
}  // namespace goose::leakcheck
