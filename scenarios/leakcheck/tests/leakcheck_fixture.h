// LeakcheckTest: runs bin/leakcheck as a child of the test, which is
// itself a subreaper (OrphanWatch), so after every run the test can prove
// that nothing leakcheck started is left: no server, no mock, no
// extension, no zombie. Shared by leakcheck's end-to-end tests and the
// foreign reference targets' tests.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_TESTS_LEAKCHECK_FIXTURE_H_
#define GOOSE_SCENARIOS_LEAKCHECK_TESTS_LEAKCHECK_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/extensions/child_process.h"
#include "harness/test_util.h"
#include "scenarios/probe/orphan_watch.h"

namespace goose::leakcheck {

using Clock = std::chrono::steady_clock;

inline std::string BinPath(const std::string& name) {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / name).string();
}

struct RunOutcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LeakcheckTest : public ::testing::Test {
 protected:
  // Runs bin/leakcheck with `args` (bounded: 5 minutes) and reaps it.
  RunOutcome Leakcheck(std::vector<std::string> args) {
    args.insert(args.begin(), BinPath("leakcheck"));
    SpawnOptions options;
    options.name = "leakcheck";
    options.supervision = Supervision::kDirect;
    options.stop_grace = std::chrono::seconds(30);
    Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(args, {}, options);
    EXPECT_TRUE(child.ok()) << child.status().message();
    RunOutcome run;
    if (!child.ok()) return run;
    ChildProcess& c = **child;
    c.RequestStop();  // stdin: nothing to read
    const Clock::time_point deadline = Clock::now() + std::chrono::minutes(5);
    char buffer[16384];
    while (Clock::now() < deadline) {
      pollfd pfd{c.stdout_fd(), POLLIN, 0};
      if (::poll(&pfd, 1, 200) <= 0) continue;
      const ssize_t n = ::read(c.stdout_fd(), buffer, sizeof buffer);
      if (n > 0) {
        run.out.append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;
      }
    }
    const ExitStatus status = c.AwaitStop(Clock::now() + std::chrono::seconds(30));
    c.WaitStderrClosed(Clock::now() + std::chrono::seconds(5));
    run.exit_code = status.signal == 0 ? status.exit_code : 128 + status.signal;
    run.err = c.StderrTail();
    return run;
  }

  // Nothing leakcheck started may be left (orphans re-parent here).
  void ExpectNothingLeftBehind() {
    const bool none = testing::WaitUntil([&] {
      orphans_.ReapZombies();
      return orphans_.Descendants().empty();
    });
    EXPECT_TRUE(none) << "left behind:\n" << probe::OrphanWatch::Describe(orphans_.Descendants());
    orphans_.KillAndReapAll();
  }

  // The run's report.json; a discarded value when it is missing or broken.
  Json Report() {
    Result<Json> report = ReadJsonFile(reports_.path() / "report.json");
    return report.ok() ? std::move(*report) : Json(Json::value_t::discarded);
  }

  static const Json* ResultOf(const Json& report, const std::string& scenario) {
    for (const Json& r : report["results"]) {
      if (r.value("scenario", "") == scenario) return &r;
    }
    return nullptr;
  }

  static const Json* SeriesOf(const Json& result, const std::string& name) {
    for (const Json& s : result["series"]) {
      if (s.value("name", "") == name) return &s;
    }
    return nullptr;
  }

  std::vector<std::string> WithReport(std::vector<std::string> args) {
    args.push_back("--report");
    args.push_back(reports_.path().string());
    return args;
  }

  probe::OrphanWatch orphans_;
  testing::ScopedTempDir reports_;
};

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_TESTS_LEAKCHECK_FIXTURE_H_
