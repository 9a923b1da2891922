// ChildProcess against real programs (cat, env, pwd, mock-mcp), under the
// shim and directly: pipes, spawn errors, environment, the stop sequence,
// process trees, zombies, fds and the ledger.

#include "core/extensions/child_process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "core/base/failpoint.h"
#include "core/base/resource_ledger.h"
#include "core/extensions/tests/extension_test_util.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using testing::Clock;
using testing::LineReader;
using testing::RawCall;

class ChildProcessTest : public ::testing::TestWithParam<Supervision> {
 protected:
  SpawnOptions Options() const {
    SpawnOptions options;
    options.supervision = GetParam();
    options.stop_grace = std::chrono::seconds(5);
    return options;
  }

  std::unique_ptr<ChildProcess> MustSpawn(const std::vector<std::string>& argv,
                                          const std::map<std::string, std::string>& env = {},
                                          std::optional<SpawnOptions> options = std::nullopt) {
    auto child = ChildProcess::Spawn(argv, env, options ? *options : Options());
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    return child.ok() ? std::move(*child) : nullptr;
  }
};

TEST_P(ChildProcessTest, EchoesThroughThePipes) {
  auto child = MustSpawn({"cat"});
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  ASSERT_TRUE(child->WriteStdin("hello\n", Clock::now() + testing::kReadBound).ok());
  EXPECT_EQ(reader.Next(), "hello");
  ASSERT_TRUE(child->WriteStdin("world\n", Clock::now() + testing::kReadBound).ok());
  EXPECT_EQ(reader.Next(), "world");
  child->Stop(std::chrono::seconds(5));
  EXPECT_TRUE(child->TryReap().has_value());
  EXPECT_FALSE(ReadProcStat(child->pid()).has_value());
}

TEST_P(ChildProcessTest, ExecFailureIsAnErrorValue) {
  const int64_t before = testing::LedgerChildren();
  auto missing = ChildProcess::Spawn({"/nonexistent/prog"}, {}, Options());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "cannot run /nonexistent/prog: No such file or directory");

  auto not_in_path = ChildProcess::Spawn({"no-such-goose-command"}, {}, Options());
  ASSERT_FALSE(not_in_path.ok());
  EXPECT_EQ(not_in_path.status().message(),
            "cannot run no-such-goose-command: No such file or directory");

  // Found, but exec refuses it: only the child can tell.
  goose::testing::ScopedTempDir dir;
  const std::string script = (dir.path() / "not-a-program").string();
  goose::testing::WriteWholeFile(script,
                                 "\x7f"
                                 "ELF garbage");
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  auto bad_format = ChildProcess::Spawn({script}, {}, Options());
  ASSERT_FALSE(bad_format.ok());
  EXPECT_EQ(bad_format.status().message(), "cannot run " + script + ": Exec format error");

  SpawnOptions in_missing_dir = Options();
  in_missing_dir.working_dir = "/nonexistent/dir";
  auto bad_dir = ChildProcess::Spawn({"cat"}, {}, in_missing_dir);
  ASSERT_FALSE(bad_dir.ok());
  EXPECT_EQ(bad_dir.status().message(),
            "cannot run cat: cannot enter working directory /nonexistent/dir: No such file or "
            "directory");

  EXPECT_EQ(testing::LedgerChildren(), before);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
  EXPECT_TRUE(testing::ZombieChildrenOfSelf().empty());
}

TEST_P(ChildProcessTest, EnvironmentAdditionsReachTheChild) {
  ASSERT_EQ(::setenv("GOOSE_TEST_INHERITED", "kept", 1), 0);
  ASSERT_EQ(::setenv("GOOSE_TEST_OVERRIDDEN", "old", 1), 0);
  auto child =
      MustSpawn({"env"}, {{"GOOSE_TEST_ADDED", "a b=c"}, {"GOOSE_TEST_OVERRIDDEN", "new"}});
  ASSERT_NE(child, nullptr);
  const std::string env = "\n" + LineReader(child->stdout_fd()).ReadAll();
  EXPECT_NE(env.find("\nGOOSE_TEST_ADDED=a b=c\n"), std::string::npos) << env;
  EXPECT_NE(env.find("\nGOOSE_TEST_OVERRIDDEN=new\n"), std::string::npos);
  EXPECT_EQ(env.find("GOOSE_TEST_OVERRIDDEN=old"), std::string::npos);
  EXPECT_NE(env.find("\nGOOSE_TEST_INHERITED=kept\n"), std::string::npos);
  EXPECT_NE(env.find("\nPATH="), std::string::npos);
  EXPECT_EQ(child->Stop(std::chrono::seconds(5)), (ExitStatus{0, 0}));
}

TEST_P(ChildProcessTest, RunsInTheWorkingDirectory) {
  goose::testing::ScopedTempDir dir;
  SpawnOptions options = Options();
  options.working_dir = dir.path().string();
  auto child = MustSpawn({"pwd"}, {}, options);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(LineReader(child->stdout_fd()).Next(), dir.path().string());
}

// The child runs in a process group of its own (under the shim, the shim's
// group, which the command shares).
// goose-api blocks SIGTERM/SIGINT in every thread (it sigwait()s for them)
// and ignores SIGPIPE; its extensions must start with neither.
TEST_P(ChildProcessTest, ChildStartsWithCleanSignalState) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old_mask;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old_mask), 0);
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  auto child = MustSpawn({"grep", "^Sig\\(Blk\\|Ign\\)", "/proc/self/status"});
  ::signal(SIGPIPE, old_pipe);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_NE(child, nullptr);
  const std::string status = LineReader(child->stdout_fd()).ReadAll();
  EXPECT_EQ(status, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

// A write to a child that is gone is an error value: SIGPIPE (here with
// its default action, which would end this test binary) is neither raised
// nor left pending, unless the calling thread had blocked it itself.
TEST_P(ChildProcessTest, WriteToAnExitedChildIsAnErrorNotASignal) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  struct sigaction old_action {};
  ASSERT_EQ(::sigaction(SIGPIPE, &default_action, &old_action), 0);
  auto child = MustSpawn({"true"});
  ASSERT_NE(child, nullptr);
  const auto deadline = Clock::now() + testing::kReadBound;
  while (!child->HasExited() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(child->HasExited());

  Status written = child->WriteStdin("hello\n", deadline);
  EXPECT_EQ(written.code(), StatusCode::kUnavailable) << written.ToString();
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(::sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);

  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t old_mask;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask), 0);
  written = child->WriteStdin("hello\n", deadline);
  EXPECT_EQ(written.code(), StatusCode::kUnavailable) << written.ToString();
  ASSERT_EQ(::sigpending(&pending), 0);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 1);
  struct timespec zero = {0, 0};
  (void)::sigtimedwait(&pipe_only, nullptr, &zero);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &old_action, nullptr);
}

TEST_P(ChildProcessTest, ChildLeadsItsOwnProcessGroup) {
  auto child = MustSpawn({"cat"});
  ASSERT_NE(child, nullptr);
  auto st = ReadProcStat(child->pid());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pgid, child->pid());
  EXPECT_NE(st->pgid, ::getpgrp());
}

// Whether `pid` ignores SIGTERM now (SigIgn of /proc/PID/status).
bool IgnoresSigterm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("SigIgn:", 0) != 0) continue;
    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    return (mask & (1ULL << (SIGTERM - 1))) != 0;
  }
  return false;
}

TEST_P(ChildProcessTest, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  auto child = MustSpawn({testing::MockMcpPath(), "--ignore-sigterm", "--linger"});
  ASSERT_NE(child, nullptr);
  // The command ignores SIGTERM only once it has started (under tsan that
  // takes a while): a SIGTERM before then would end it. Under the shim the
  // command is the shim's child.
  auto command = [&]() -> pid_t {
    if (GetParam() != Supervision::kShim) return child->pid();
    const std::string pid = std::to_string(child->pid());
    std::ifstream children("/proc/" + pid + "/task/" + pid + "/children");
    pid_t first = -1;
    children >> first;
    return first;
  };
  ASSERT_TRUE(goose::testing::WaitUntil([&] {
    const pid_t pid = command();
    return pid > 0 && IgnoresSigterm(pid);
  }));
  ExitStatus status = child->Stop(std::chrono::milliseconds(400));
  EXPECT_EQ(status.signal, SIGKILL) << status.ToString();
}

TEST_P(ChildProcessTest, StopSendsSigtermWhenEofIsIgnored) {
  auto child = MustSpawn({testing::MockMcpPath(), "--linger"});
  ASSERT_NE(child, nullptr);
  ExitStatus status = child->Stop(std::chrono::seconds(10));
  EXPECT_EQ(status.signal, SIGTERM) << status.ToString();
}

// Grandchildren in the child's group and in a new session are gone after
// Stop(); under the shim, so is one orphaned by a double fork.
TEST_P(ChildProcessTest, GrandchildrenAreGoneAfterStop) {
  auto child = MustSpawn({testing::MockMcpPath()});
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  std::vector<Json> spawns = {{{"new_session", false}}, {{"new_session", true}}};
  if (GetParam() == Supervision::kShim) spawns.push_back({{"new_session", true}, {"orphan", true}});
  std::vector<ProcessRef> grandchildren;
  int id = 1;
  for (const Json& args : spawns) {
    Json result = RawCall(*child, reader, id++, "spawn_grandchild", args);
    ASSERT_TRUE(result.contains("structuredContent")) << result.dump();
    const pid_t pid = result["structuredContent"]["pid"].get<pid_t>();
    auto ref = testing::RefOf(pid);
    ASSERT_TRUE(ref.has_value());
    EXPECT_TRUE(IsRunning(*ref));
    grandchildren.push_back(*ref);
  }
  auto in_new_session = ReadProcStat(grandchildren[1].pid);
  ASSERT_TRUE(in_new_session.has_value());
  EXPECT_EQ(in_new_session->sid, grandchildren[1].pid);  // it really left the session

  child->Stop(std::chrono::seconds(5));
  for (const ProcessRef& ref : grandchildren) {
    EXPECT_TRUE(testing::WaitProcessExit(ref)) << "grandchild " << ref.pid << " survived Stop()";
  }
}

TEST_P(ChildProcessTest, NoZombieNoFdNoLedgerEntryLeftBehind) {
  // Warm up: the spawner thread and /proc readers allocate once.
  MustSpawn({"true"}).reset();
  const int fds_before = testing::CountOpenFds();
  const int64_t ledger_before = testing::LedgerChildren();

  auto child = MustSpawn({testing::MockMcpPath()});
  ASSERT_NE(child, nullptr);
  const pid_t pid = child->pid();
  EXPECT_EQ(testing::LedgerChildren(), ledger_before + 1);
  EXPECT_GT(testing::CountOpenFds(), fds_before);
  LineReader reader(child->stdout_fd());
  Json result = RawCall(*child, reader, 1, "echo", {{"text", "x"}});
  EXPECT_EQ(result["content"][0]["text"], "x");
  child->Stop(std::chrono::seconds(5));
  EXPECT_EQ(testing::LedgerChildren(), ledger_before);  // counted out once reaped
  EXPECT_FALSE(ReadProcStat(pid).has_value()) << "the child is still in /proc (a zombie?)";
  child.reset();

  EXPECT_EQ(testing::CountOpenFds(), fds_before);
  EXPECT_EQ(testing::LedgerChildren(), ledger_before);
  EXPECT_TRUE(testing::ZombieChildrenOfSelf().empty());
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST_P(ChildProcessTest, DestroyingTheOwnerWithoutStopCleansUp) {
  const int64_t ledger_before = testing::LedgerChildren();
  auto child = MustSpawn({testing::MockMcpPath(), "--linger"});
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  Json result = RawCall(*child, reader, 1, "spawn_grandchild", {{"new_session", true}});
  auto grandchild = testing::RefOf(result["structuredContent"]["pid"].get<pid_t>());
  ASSERT_TRUE(grandchild.has_value());
  const pid_t pid = child->pid();
  child.reset();
  EXPECT_FALSE(ReadProcStat(pid).has_value());
  EXPECT_TRUE(testing::WaitProcessExit(*grandchild));
  EXPECT_EQ(testing::LedgerChildren(), ledger_before);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST_P(ChildProcessTest, CrashIsNoticedThroughTheExitFd) {
  auto child = MustSpawn({testing::MockMcpPath()});
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  // A grandchild keeps stdout open: EOF alone would not show the crash.
  RawCall(*child, reader, 1, "spawn_grandchild", {{"new_session", false}});
  Json crash = {{"jsonrpc", "2.0"},
                {"id", 2},
                {"method", "tools/call"},
                {"params", {{"name", "crash"}, {"arguments", Json::object()}}}};
  ASSERT_TRUE(child->WriteStdin(JsonDump(crash) + "\n", Clock::now() + testing::kReadBound).ok());
  pollfd fd = {child->exit_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&fd, 1, 20000), 1);
  std::optional<ExitStatus> status = child->TryReap();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, SIGKILL) << status->ToString();
  EXPECT_EQ(status->ToString(), "signal 9 (SIGKILL)");
}

TEST_P(ChildProcessTest, StderrIsCapturedWithinItsBound) {
  auto child = MustSpawn({testing::MockMcpPath(), "--stderr-bytes", "1048576"});
  ASSERT_NE(child, nullptr);
  // Stop only once all of it was written, so the last line is not cut off.
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return child->StderrTail().find("last stderr line") != std::string::npos; }));
  child->Stop(std::chrono::seconds(5));
  ASSERT_TRUE(child->WaitStderrClosed(Clock::now() + testing::kReadBound));
  const std::string tail = child->StderrTail();
  EXPECT_LE(tail.size(), 64u * 1024);
  EXPECT_GT(tail.size(), 32u * 1024);
  const std::string last = "mock-mcp: last stderr line\n";
  EXPECT_EQ(tail.substr(tail.size() - last.size()), last);
  const std::string short_tail = child->StderrShortTail(100);
  EXPECT_LE(short_tail.size(), 110u);
  EXPECT_EQ(short_tail.substr(short_tail.size() - 26), "mock-mcp: last stderr line");
}

TEST_P(ChildProcessTest, WritingToAnExitedChildFailsWithoutSigpipe) {
  auto child = MustSpawn({"true"});
  ASSERT_NE(child, nullptr);
  pollfd fd = {child->exit_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&fd, 1, 20000), 1);
  Status written = child->WriteStdin("anyone?\n", Clock::now() + testing::kReadBound);
  EXPECT_EQ(written.code(), StatusCode::kUnavailable) << written.ToString();
  EXPECT_EQ(child->TryReap(), (ExitStatus{0, 0}));
}

TEST_P(ChildProcessTest, StopWakesABlockedWriter) {
  // mock-mcp stops reading stdin on hang {stop_serving}; then fill the pipe.
  auto child = MustSpawn({testing::MockMcpPath()});
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  Json hang = {{"jsonrpc", "2.0"},
               {"id", 1},
               {"method", "tools/call"},
               {"params", {{"name", "hang"}, {"arguments", {{"stop_serving", true}}}}}};
  ASSERT_TRUE(child->WriteStdin(JsonDump(hang) + "\n", Clock::now() + testing::kReadBound).ok());
  Status written;
  std::thread writer([&] {
    const std::string big(1 << 20, 'x');  // more than any pipe buffer
    written = child->WriteStdin(big, Clock::now() + std::chrono::minutes(5));
  });
  // The writer blocks on the full pipe until the stop request wakes it.
  child->Stop(std::chrono::seconds(5));
  writer.join();
  EXPECT_FALSE(written.ok());
}

// The parent-death signal follows the forking thread (prctl(2)). Spawning
// from a thread that then exits must not kill the child: every fork runs
// on the supervisor's long-lived thread.
TEST_P(ChildProcessTest, ChildOutlivesTheThreadThatSpawnedIt) {
  std::unique_ptr<ChildProcess> child;
  std::thread spawner([&] { child = MustSpawn({"cat"}); });
  spawner.join();
  ASSERT_NE(child, nullptr);
  LineReader reader(child->stdout_fd());
  ASSERT_TRUE(child->WriteStdin("still here\n", Clock::now() + testing::kReadBound).ok());
  EXPECT_EQ(reader.Next(), "still here");
  EXPECT_FALSE(child->HasExited());
}

TEST(ChildProcessShimTest, MissingShimIsAClearError) {
  SpawnOptions options;
  options.shim_path = "/nonexistent/goose-ext-shim";
  auto child = ChildProcess::Spawn({"cat"}, {}, options);
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/goose-ext-shim is missing"),
            std::string::npos)
      << child.status().message();
}

INSTANTIATE_TEST_SUITE_P(Supervision, ChildProcessTest,
                         ::testing::Values(Supervision::kShim, Supervision::kDirect),
                         [](const auto& info) {
                           return info.param == Supervision::kShim ? std::string("Shim")
                                                                   : std::string("Direct");
                         });

}  // namespace
}  // namespace goose

namespace goose {
namespace {

// The leak_child failpoint re-creates the bug for the gates' canaries: only
// the direct child is stopped, its grandchildren are stranded.
TEST(ChildProcessFailpointTest, LeakChildStrandsGrandchildren) {
  if (!kFailpointsCompiled) GTEST_SKIP() << "failpoints are compiled out";
  ASSERT_TRUE(SetFailpoint(Failpoint::kLeakChild, true).ok());
  auto child = ChildProcess::Spawn({testing::MockMcpPath()}, {}, SpawnOptions{});
  ClearFailpoints();
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_EQ((*child)->supervision(), Supervision::kDirect);
  LineReader reader((*child)->stdout_fd());
  std::vector<ProcessRef> grandchildren;
  int id = 1;
  for (bool new_session : {false, true}) {
    Json result =
        RawCall(**child, reader, id++, "spawn_grandchild", {{"new_session", new_session}});
    auto ref = testing::RefOf(result["structuredContent"]["pid"].get<pid_t>());
    ASSERT_TRUE(ref.has_value());
    grandchildren.push_back(*ref);
  }
  (*child)->Stop(std::chrono::seconds(5));
  for (const ProcessRef& ref : grandchildren) EXPECT_TRUE(IsRunning(ref)) << ref.pid;
  SignalProcesses(grandchildren, SIGKILL);
  for (const ProcessRef& ref : grandchildren) EXPECT_TRUE(testing::WaitProcessExit(ref));
}

}  // namespace
}  // namespace goose
