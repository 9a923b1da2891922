// leakcheck against servers this project did not write: the Python
// reference targets of scenarios/foreign_targets, which answer like the
// original goose-api and put back one of its bugs, a small leak, or none.
// Each is judged from outside exactly as a user's server would be, with
// the exit status a CI job reads.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios/leakcheck/tests/leakcheck_fixture.h"

namespace goose::leakcheck {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// The target command: Debian's python3 (ci/install-deps) running the
// reference server from the source tree.
std::string ForeignTarget(const std::string& flags) {
  std::string command = std::string("python3 ") + GOOSE_FOREIGN_TARGETS_DIR "/goose_api_like.py";
  if (!flags.empty()) command += " " + flags;
  return command;
}

class ForeignTargetTest : public LeakcheckTest {
 protected:
  // The deviations of `scenario`, as "what" strings.
  static std::vector<std::string> DeviationsOf(const Json& result) {
    std::vector<std::string> found;
    for (const Json& d : result.value("deviations", Json::array())) found.push_back(d["what"]);
    return found;
  }
};

// goose-api's own kind of server, with all four of its known bugs: every
// one is named, reaping included, and the run is a leak (exit 1), not an
// environment error, although its answers differ from ours.
TEST_F(ForeignTargetTest, GooseApiShapedTargetHasEveryBugNamed) {
  RunOutcome run = Leakcheck(
      WithReport({"run", "--target", ForeignTarget("--bug all"), "--scenario", "stream_drainage",
                  "--scenario", "timeout_reaping", "--scenario", "disconnects_and_failures",
                  "--scenario", "summarization", "--iterations", "8", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  EXPECT_EQ(report.value("verdict", ""), "leak");

  // first-message: the provider's streams are left unread, one socket
  // each (mock-llm's small replies fit in the socket buffers, so it sees
  // them written whole: the fds show the bug); retain: 64 KiB per request.
  const Json* drainage = ResultOf(report, "stream_drainage");
  ASSERT_NE(drainage, nullptr);
  EXPECT_EQ(drainage->value("error", ""), "");
  EXPECT_THAT((*drainage)["leaking_series"], Contains("open_fds"));
  EXPECT_THAT((*drainage)["leaking_series"], Contains("heap_bytes"));
  EXPECT_THAT(DeviationsOf(*drainage), Contains(HasSubstr("\"Reply: \"")));

  // no-reap and orphan, seen without any ledger: the sessions' extension
  // processes are still running.
  const Json* reaping = ResultOf(report, "timeout_reaping");
  ASSERT_NE(reaping, nullptr);
  EXPECT_EQ(reaping->value("error", ""), "");
  EXPECT_THAT((*reaping)["leaking_series"], Contains("descendants"));
  EXPECT_THAT((*reaping)["leaking_series"], Contains("heap_bytes"));
  // goose-api's /metrics is shown as it is, labelled for what it is.
  ASSERT_TRUE(reaping->contains("target_metrics"));
  EXPECT_THAT((*reaping)["target_metrics"].value("label", ""), HasSubstr("session files"));
  EXPECT_TRUE((*reaping)["target_metrics"]["after"].contains("active_sessions"));

  // Answers that differ from ours are findings with their counts, and the
  // scenarios went on measuring.
  const Json* failures = ResultOf(report, "disconnects_and_failures");
  ASSERT_NE(failures, nullptr);
  EXPECT_EQ(failures->value("error", ""), "");
  EXPECT_THAT(DeviationsOf(*failures),
              Contains(HasSubstr("provider failing mid-stream answered 200 status \"warning\"")));
  const Json* summary = ResultOf(report, "summarization");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->value("error", ""), "");
  EXPECT_THAT(DeviationsOf(*summary), Contains(HasSubstr("without a \"summary\" field")));
  EXPECT_THAT(run.out, HasSubstr("deviation ("));
  ExpectNothingLeftBehind();
}

// The reaping bugs alone, each seen from outside in the scenario that
// needs it: never reaping (the extensions live on), and orphaning (the
// sessions are reaped but their extensions' grandchildren are not).
TEST_F(ForeignTargetTest, ReapingBugsAreSeenWithoutALedger) {
  RunOutcome run =
      Leakcheck(WithReport({"run", "--target", ForeignTarget("--bug no-reap"), "--scenario",
                            "timeout_reaping", "--iterations", "6", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json never_reaped = Report();
  const Json* reaping = ResultOf(never_reaped, "timeout_reaping");
  ASSERT_NE(reaping, nullptr);
  EXPECT_THAT((*reaping)["leaking_series"], Contains("descendants"));

  run = Leakcheck(WithReport({"run", "--target", ForeignTarget("--bug orphan"), "--scenario",
                              "extension_orphans", "--iterations", "6", "--warmup", "2"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json orphaned = Report();
  const Json* orphans = ResultOf(orphaned, "extension_orphans");
  ASSERT_NE(orphans, nullptr);
  EXPECT_EQ(orphans->value("error", ""), "");
  EXPECT_THAT((*orphans)["leaking_series"], Contains("descendants"));
  ExpectNothingLeftBehind();
}

// 100 bytes kept per request: below anything PSS can show in a run, found
// by the preloaded allocation counter within the default iterations.
TEST_F(ForeignTargetTest, SmallLeakIsFoundWithExactHeap) {
  RunOutcome run = Leakcheck(WithReport(
      {"run", "--target", ForeignTarget("--leak-bytes 100"), "--scenario", "stream_drainage"}));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json report = Report();
  const Json* r = ResultOf(report, "stream_drainage");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT(r->value("heap_series", ""), HasSubstr("live malloc bytes"));
  EXPECT_EQ((*r)["leaking_series"], Json::array({"heap_bytes"}));
  const Json* heap = SeriesOf(*r, "heap_bytes");
  ASSERT_NE(heap, nullptr);
  // Three requests per iteration keep a bytes object of 100 each (133 B
  // with its header, in a malloc block of 136 or more).
  EXPECT_GT((*heap)["slope_lower"].get<double>(), 300);
  EXPECT_LT((*heap)["slope_upper"].get<double>(), 600);

  // The same server judged by PSS alone passes: that is why exact is the
  // default.
  run = Leakcheck(WithReport({"run", "--target", ForeignTarget("--leak-bytes 100"), "--scenario",
                              "stream_drainage", "--heap", "pss"}));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  ExpectNothingLeftBehind();
}

// The clean reference: every scenario a started target can run is clean,
// answers differing from ours notwithstanding (docs/leakcheck.md states
// the runs behind "never flagged").
TEST_F(ForeignTargetTest, CleanTargetIsClean) {
  RunOutcome run = Leakcheck(WithReport({"run", "--target", ForeignTarget("")}));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json report = Report();
  for (const char* name : {"stream_drainage", "concurrent_sessions", "disconnects_and_failures",
                           "summarization", "timeout_reaping", "extension_orphans"}) {
    const Json* r = ResultOf(report, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->value("verdict", ""), "clean") << name << ": " << r->dump(1);
    EXPECT_THAT(r->value("heap_series", ""), HasSubstr("live malloc bytes")) << name;
  }
  ExpectNothingLeftBehind();
}

}  // namespace
}  // namespace goose::leakcheck
