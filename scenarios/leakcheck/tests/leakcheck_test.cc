// leakcheck end to end: bin/leakcheck runs as a child of this test, which
// is itself a subreaper (OrphanWatch), so after every run the test can
// prove that nothing leakcheck started is left: no server, no mock, no
// extension, no zombie.
//
// Cases: our goose-api comes out clean; under a failpoint it leaks on the
// matching series; the leaky server is caught from outside with a growing
// series in report.json; bad arguments, a target that does not start, a
// target that dies mid-run and a port that is taken (a --target told to
// use a port another program holds; a --url that points at a server that
// is not goose-api) all exit 2 with a message that says so.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base/json.h"
#include "core/base/unique_fd.h"
#include "core/extensions/child_process.h"
#include "harness/test_util.h"
#include "scenarios/leakcheck/tests/leakcheck_fixture.h"
#include "scenarios/probe/orphan_watch.h"
#include "scenarios/report/tests/junit_check.h"
#include "scenarios/targets/heap_profile.h"
#include "scenarios/targets/process_target.h"
#include "scenarios/targets/program_launch.h"
#include "scenarios/targets/run_program.h"

namespace goose::leakcheck {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(LeakcheckTest, ListAndHelp) {
  RunOutcome list = Leakcheck({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  for (const char* name : {"stream_drainage", "timeout_reaping", "server_sigkill"}) {
    EXPECT_THAT(list.out, HasSubstr(name));
  }
  RunOutcome help = Leakcheck({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: leakcheck run"));
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckTest, BadArgumentsExit2) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"run", "--iterations", "1"},
           {"run", "--target", "'goose-api"},
           {"run", "--scenario", "no_such_scenario"},
           {"run", "--scenario", "server_sigkill", "--target", "goose-api"},
           {"run", "--scenario", "summarization", "--concurrency", "3"},
           {"run", "--scenario", "stream_drainage", "--thresholds", "/nonexistent/t.json"},
           {"bogus"}}) {
    RunOutcome run = Leakcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[1] << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr("leakcheck: ")) << run.err;
  }
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckTest, OurServerIsClean) {
  RunOutcome run = Leakcheck(WithReport({"run", "--scenario", "stream_drainage", "--scenario",
                                         "concurrent_sessions", "--iterations", "60"}));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("report.html"));
  const Json report = Report();
  EXPECT_EQ(report.value("verdict", ""), "clean") << run.out;
  EXPECT_EQ(report["target"].value("kind", ""), "builtin");
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  // Judged with the rows of the server's allocator (thresholds.cc): its
  // exact live heap on glibc (the preloaded counter); PSS, with a note
  // saying why, where a preload cannot apply.
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  EXPECT_THAT(r->value("heap_series", ""), HasSubstr("a tcmalloc build"));
  EXPECT_THAT(r->value("heap_note", ""), HasSubstr("its own allocator (tcmalloc)"));
#elif defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
  EXPECT_THAT(r->value("heap_series", ""), HasSubstr("pss"));
  EXPECT_THAT(r->value("heap_note", ""), HasSubstr("build (its runtime replaces malloc)"));
#else
  EXPECT_THAT(r->value("heap_series", ""), HasSubstr("live malloc bytes"));
  EXPECT_FALSE(r->contains("heap_note"));
  // Exact: a clean server's live heap is flat to the byte once warm.
  const Json* heap = SeriesOf(*r, "heap_bytes");
  ASSERT_NE(heap, nullptr);
  EXPECT_LT((*heap)["slope_lower"].get<double>(), 1.0);
#endif
  // Seen from outside: the ledger (GET /metrics), /proc and the mock.
  for (const char* name : {"heap_bytes", "live_streams", "open_fds", "threads", "mock_streams_live",
                           "session_files"}) {
    const Json* s = SeriesOf(*r, name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ((*s)["samples"].size(), 60u) << name;
    EXPECT_TRUE((*s)["samples"][0].is_number()) << name << " not observed";
  }
  ExpectNothingLeftBehind();
}

// The canary run also writes its verdicts for CI: the JUnit file reads as
// a CI engine reads it and its failing test case names the scenario and
// the series with their numbers; the Markdown summary has the table.
TEST_F(LeakcheckTest, PartialDrainFailpointLeaksStreams) {
  const std::filesystem::path junit = reports_.path() / "ci" / "leakcheck.xml";
  const std::filesystem::path markdown = reports_.path() / "ci" / "summary.md";
  RunOutcome run = Leakcheck(WithReport(
      {"run", "--scenario", "stream_drainage", "--failpoint", "partial_drain", "--iterations", "8",
       "--warmup", "2", "--junit", junit.string(), "--markdown=" + markdown.string()}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  // Seen from outside: the server's ledger (GET /metrics) keeps the
  // streams and their buffers, and its PSS grows with them. The mock sees
  // its streams completed: goose-api's HTTP provider reads each SSE reply
  // into the stream's buffer whether or not the agent drains it.
  EXPECT_THAT((*r)["leaking_series"], Contains("live_streams")) << JsonDump((*r)["leaking_series"]);
  EXPECT_THAT((*r)["leaking_series"], Contains("stream_buffered_bytes"));
  ExpectNothingLeftBehind();

  EXPECT_THAT(run.err, HasSubstr("JUnit " + junit.string()));
  const std::string md = testing::ReadWholeFile(markdown);
  EXPECT_THAT(md, HasSubstr("## leakcheck: **LEAK**"));
  EXPECT_THAT(md, HasSubstr("| stream_drainage | leak |"));
  EXPECT_THAT(md, HasSubstr("(../report.html)"));
  if (std::string missing = testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  const Json parsed = testing::ReadJunit(junit);
  const Json failed = testing::JunitCase(parsed, "stream_drainage");
  ASSERT_TRUE(failed.is_object()) << JsonDump(parsed);
  EXPECT_EQ(failed["classname"], "leakcheck.builtin");
  EXPECT_EQ(failed["outcome"], "failure");
  const std::string message = failed["message"];
  EXPECT_THAT(message, HasSubstr("live_streams: slope "));
  EXPECT_THAT(message, HasSubstr("99% bounds ["));
  EXPECT_THAT(message, HasSubstr("(zero tolerance)"));
  EXPECT_THAT(failed["text"].get<std::string>(), HasSubstr("heap_bytes: slope "));
  EXPECT_THAT(failed["text"].get<std::string>(), HasSubstr("threshold "));
}

// --thresholds FILE: a canary that keeps 64 B per request (retain_heap,
// reachable, so no sanitizer reports it) passes with a file that raises
// stream_drainage's heap threshold above its slope, and every view names
// the file and its reason. Without the file the same run leaks on
// heap_bytes where the heap is exact (dev: live malloc bytes, 96
// B/iteration allowed); elsewhere it is PSS, too coarse for 64 B.
TEST_F(LeakcheckTest, AThresholdsFileRaisesTheHeapThreshold) {
  const std::filesystem::path file = reports_.path() / "thresholds.json";
  std::ofstream(file) << R"({"thresholds": [{"scenario": "stream_drainage", "backend": "*",
      "bytes_per_iteration": 1e9, "reason": "retain_heap keeps 64 B per request on purpose"}]})";
  const std::filesystem::path junit = reports_.path() / "junit.xml";
  const std::vector<std::string> canary = {"run",         "--scenario",  "stream_drainage",
                                           "--failpoint", "retain_heap", "--iterations",
                                           "20",          "--warmup",    "2"};
  std::vector<std::string> with_file = WithReport(canary);
  with_file.insert(with_file.end(), {"--thresholds=" + file.string(), "--junit", junit.string()});
  RunOutcome run = Leakcheck(with_file);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string named = "heap threshold 1000000000 B/iteration from " + file.string() +
                            ": retain_heap keeps 64 B per request on purpose";
  EXPECT_THAT(run.out, HasSubstr("stream_drainage: " + named)) << run.out;
  const Json report = Report();
  EXPECT_EQ(report["target"].value("thresholds", ""), file.string());
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->value("heap_threshold_file", ""), file.string());
  const Json* heap = SeriesOf(*r, "heap_bytes");
  ASSERT_NE(heap, nullptr);
  EXPECT_EQ(heap->value("threshold", 0.0), 1e9);
  EXPECT_THAT(testing::ReadWholeFile(reports_.path() / "report.html"), HasSubstr(named));
  EXPECT_THAT(testing::ReadWholeFile(junit), HasSubstr(named));
  ExpectNothingLeftBehind();
#if defined(GOOSE_HEAP_BACKEND_GLIBC) && !defined(GOOSE_TSAN)
  RunOutcome without = Leakcheck(WithReport(canary));
  EXPECT_EQ(without.exit_code, 1) << without.out << without.err;
  const Json leaked = Report();
  const Json* l = ResultOf(leaked, "stream_drainage");
  ASSERT_NE(l, nullptr);
  EXPECT_THAT((*l)["leaking_series"], Contains("heap_bytes")) << JsonDump((*l)["leaking_series"]);
  EXPECT_FALSE(l->contains("heap_threshold_file"));
  ExpectNothingLeftBehind();
#endif
}

TEST_F(LeakcheckTest, LeakFdFailpointLeaksFds) {
  RunOutcome run = Leakcheck(WithReport({"run", "--scenario", "concurrent_sessions", "--failpoint",
                                         "leak_fd", "--iterations", "5", "--warmup", "1"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "concurrent_sessions");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT((*r)["leaking_series"], Contains("open_fds"));
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckTest, NoReapFailpointLeaksSessions) {
  RunOutcome run = Leakcheck(WithReport({"run", "--scenario", "timeout_reaping", "--failpoint",
                                         "no_reap", "--iterations", "3", "--warmup", "1"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "timeout_reaping");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT((*r)["leaking_series"], Contains("sessions"));
  ExpectNothingLeftBehind();
}

// The leaky server keeps 64 KiB per reply and a thread every 10 requests.
// In a sanitizer build its PSS is recorded, not judged (the sanitizer's
// quarantine grows it too): there the threads make the verdict, and the
// samples still show the growth.
TEST_F(LeakcheckTest, LeakyServerIsCaughtFromOutside) {
  RunOutcome run = Leakcheck(WithReport(
      {"run", "--target", BinPath("leaky-server") + " --leak-bytes 65536 --leak-thread-every 10",
       "--scenario", "stream_drainage", "--iterations", "30", "--warmup", "3"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  EXPECT_EQ(report["target"].value("kind", ""), "command");
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT((*r)["leaking_series"], Contains("threads"));
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  EXPECT_THAT(r->value("heap_series", ""), HasSubstr("sanitizer build"));
#else
  EXPECT_THAT((*r)["leaking_series"], Contains("heap_bytes"));
#endif
  const Json* heap = SeriesOf(*r, "heap_bytes");
  ASSERT_NE(heap, nullptr);
  // Two replies of 64 KiB kept per iteration: the samples grow by ~128 KiB
  // per iteration, so well over 2 MiB over 30 iterations.
  const Json& samples = (*heap)["samples"];
  ASSERT_EQ(samples.size(), 30u);
  EXPECT_GT(samples.back().get<double>() - samples.front().get<double>(), 2.0 * 1024 * 1024);
  EXPECT_GT((*heap)["slope_lower"].get<double>(), 64 * 1024);
  // Its ledger is not observable (no GET /metrics), and says so.
  const Json* streams = SeriesOf(*r, "live_streams");
  ASSERT_NE(streams, nullptr);
  EXPECT_EQ(streams->value("detail", ""), "not observable");
  ExpectNothingLeftBehind();
}

// --concurrency runs that many clients per iteration: a server that
// keeps nothing is clean, one that keeps an fd every 7 requests is not.
TEST_F(LeakcheckTest, ConcurrentClientsAgainstACommandTarget) {
  RunOutcome clean = Leakcheck(
      WithReport({"run", "--target", BinPath("leaky-server") + " --leak-bytes 0", "--scenario",
                  "stream_drainage", "--concurrency", "3", "--iterations", "20", "--json"}));
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  // --json: report.json on stdout instead of the table.
  const Json printed = Json::parse(clean.out, nullptr, false);
  ASSERT_TRUE(printed.is_object()) << clean.out;
  EXPECT_EQ(printed.value("verdict", ""), "clean");
  {
    const Json report = Report();
    const Json* r = ResultOf(report, "stream_drainage");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->value("requests", 0), 20 * 3 * 3);  // 3 clients x start, reply, end
  }
  RunOutcome fds = Leakcheck(
      WithReport({"run", "--target", BinPath("leaky-server") + " --leak-bytes 0 --leak-fd-every 7",
                  "--scenario", "stream_drainage", "--concurrency", "3", "--iterations", "20"}));
  EXPECT_EQ(fds.exit_code, 1) << fds.out << fds.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT((*r)["leaking_series"], Contains("open_fds"));
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckTest, TargetThatDoesNotStartExits2) {
  RunOutcome missing = Leakcheck(WithReport(
      {"run", "--target", "/nonexistent/goose-server", "--scenario", "stream_drainage"}));
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("cannot start the target"));
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/goose-server"));

  // Starts, then exits at once with a message on stderr.
  RunOutcome exits =
      Leakcheck(WithReport({"run", "--target", BinPath("leaky-server") + " --no-such-flag x",
                            "--scenario", "stream_drainage"}));
  EXPECT_EQ(exits.exit_code, 2) << exits.err;
  EXPECT_THAT(exits.err, HasSubstr("exited before it answered"));
  EXPECT_THAT(exits.err, HasSubstr("unknown option --no-such-flag"));  // its stderr, quoted
  EXPECT_EQ(Report().value("verdict", ""), "error");
  ExpectNothingLeftBehind();
}

TEST_F(LeakcheckTest, TargetThatDiesMidRunExits2) {
  // Ready check (1 request), warm-up (3 per iteration), then dies in the
  // measured iterations.
  RunOutcome run = Leakcheck(
      WithReport({"run", "--target", BinPath("leaky-server") + " --exit-after 20", "--scenario",
                  "stream_drainage", "--iterations", "20", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("died during the run"));
  EXPECT_THAT(run.err, HasSubstr("exit code 3"));
  ExpectNothingLeftBehind();
}

// A --target told to use a port another program holds cannot bind it.
TEST_F(LeakcheckTest, TargetPortInUseExits2) {
  UniqueFd squatter(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(squatter.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(squatter.get(), 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(squatter.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  RunOutcome run = Leakcheck(WithReport({"run", "--target", scenarios::GooseApiPath(), "--port",
                                         port, "--scenario", "stream_drainage"}));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("exited before it answered"));
  EXPECT_THAT(run.err, HasSubstr("cannot listen on 127.0.0.1:" + port));
  ExpectNothingLeftBehind();
}

// --url pointing at a port where something else (here mock-llm) answers.
TEST_F(LeakcheckTest, UrlOfAnotherServerExits2) {
  testing::ScopedTempDir dir;
  {
    Result<std::unique_ptr<scenarios::MockLlmProcess>> mock =
        scenarios::MockLlmProcess::Start(dir.path(), "");
    ASSERT_TRUE(mock.ok()) << mock.status().message();
    RunOutcome run = Leakcheck(
        WithReport({"run", "--url", (*mock)->url(), "--pid", std::to_string((*mock)->pid()),
                    "--key", "k", "--scenario", "stream_drainage"}));
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("not as a goose-api server"));

    RunOutcome no_pid = Leakcheck({"run", "--url", (*mock)->url(), "--pid", "999999999"});
    EXPECT_EQ(no_pid.exit_code, 2) << no_pid.err;
    EXPECT_THAT(no_pid.err, HasSubstr("no process 999999999"));
  }
  ExpectNothingLeftBehind();
}

// Attached to our goose-api started by someone else: clean, and seen
// through /proc of its pid and its GET /metrics.
TEST_F(LeakcheckTest, AttachedServerIsClean) {
  {
    scenarios::ProcessTarget server(scenarios::TargetRequirements{});
    ASSERT_TRUE(server.Start().ok());
    RunOutcome run =
        Leakcheck(WithReport({"run", "--url", "http://127.0.0.1:" + std::to_string(server.port()),
                              "--pid", std::to_string(server.pid()), "--key", server.api_key(),
                              "--scenario", "stream_drainage", "--iterations", "60"}));
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    const Json report = Report();
    const Json* r = ResultOf(report, "stream_drainage");
    ASSERT_NE(r, nullptr);
    const Json* streams = SeriesOf(*r, "live_streams");
    ASSERT_NE(streams, nullptr);
    EXPECT_TRUE((*streams)["samples"][0].is_number()) << "the ledger of /metrics was not read";
  }
  ExpectNothingLeftBehind();
}

// profile of a program we did not instrument: gperftools' heap profiler
// is preloaded into it and dumps on a signal; the diff names the site that
// keeps 100 bytes per reply (leaky-server's Hoard::Reply).
TEST_F(LeakcheckTest, ProfileOfACommandNamesTheLeakingSite) {
  RunOutcome run = Leakcheck(
      WithReport({"profile", "--target", BinPath("leaky-server") + " --leak-bytes 100",
                  "--scenario", "stream_drainage", "--iterations", "20", "--warmup", "3"}));
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
  // A sanitizer build refuses a preloaded malloc: said, exit 2.
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("build (its runtime replaces malloc)"));
#else
  EXPECT_NE(run.exit_code, 2) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT(r->value("heap_profile_diff", ""), HasSubstr("Hoard::Reply"));
  EXPECT_TRUE(std::filesystem::exists(reports_.path() / "heap-growth-stream_drainage.txt"));
#endif
  ExpectNothingLeftBehind();
}

// profile: a build without GET /debug/heap is refused with a pointer to
// the heapprof build; a heapprof build writes the diff.
TEST_F(LeakcheckTest, Profile) {
  RunOutcome run = Leakcheck(WithReport(
      {"profile", "--scenario", "stream_drainage", "--iterations", "10", "--warmup", "2"}));
  if (!scenarios::HeapProfilingAvailable()) {
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("heapprof"));
  } else {
    EXPECT_NE(run.exit_code, 2) << run.out << run.err;
    const Json report = Report();
    const Json* r = ResultOf(report, "stream_drainage");
    ASSERT_NE(r, nullptr);
    EXPECT_THAT(r->value("heap_profile_diff", ""), HasSubstr("Total:"));
    EXPECT_TRUE(std::filesystem::exists(reports_.path() / "heap-growth-stream_drainage.txt"));
    // The call graph of the sites that grew, drawn by graphviz's dot
    // (ci/install-deps installs it). A clean run often has none to draw at
    // the profiler's 1-in-512 KiB sampling: then there is no graph either.
    if (!scenarios::ProgramExists("dot")) {
      GOOSE_SKIP_UNLESS_CI("graphviz (dot) is not installed: no SVG call graph to check");
    }
    const std::filesystem::path svg = reports_.path() / "heap-growth-stream_drainage.svg";
    if (r->value("heap_profile_diff", "").find("no sampled allocation site grew") !=
        std::string::npos) {
      EXPECT_FALSE(std::filesystem::exists(svg));
      EXPECT_FALSE(r->contains("heap_profile_svg"));
    } else {
      ASSERT_TRUE(std::filesystem::exists(svg)) << "no SVG call graph although dot is installed";
      const std::string text = testing::ReadWholeFile(svg.string());
      EXPECT_THAT(text, HasSubstr("<svg"));
      EXPECT_THAT(text, HasSubstr("</svg>"));
      EXPECT_EQ(r->value("heap_profile_svg", ""), "heap-growth-stream_drainage.svg");
    }
  }
  ExpectNothingLeftBehind();
}

}  // namespace
}  // namespace goose::leakcheck
