// The Node.js heap probe end to end: `node -e <script>` runs as a child
// with the probe's environment (AddNodeProbeEnv), reads stdin lines and
// answers each on stdout, and NodeHeapProbe reads its heapUsed after a
// forced full GC. A script that keeps 64 KiB of JS heap per line must show
// it; one that drops it must stay flat; the probe must add nothing to the
// child's stdout and must not keep it alive after stdin closes. The time
// one Read() takes is printed, not asserted (a shared 2-core machine).
//
// Without node the tests are skipped, or fail under CI=true.

#include "scenarios/targets/node_heap_probe.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/process_tree.h"
#include "core/extensions/child_process.h"
#include "harness/test_util.h"

namespace goose::scenarios {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr milliseconds kReadTimeout{10000};

// Each stdin line: 8192 doubles (64 KiB of V8 heap, a FixedDoubleArray)
// made and answered with "ok <n>"; `keep` says whether they stay reachable.
std::string LineScript(bool keep) {
  return std::string("const kept = [];\n") +
         "let n = 0;\n"
         "const rl = require('readline').createInterface({input: process.stdin});\n"
         "rl.on('line', () => {\n"
         "  const block = new Array(8192).fill(n + 0.5);\n" +
         (keep ? "  kept.push(block);\n" : "  kept.length = 0;\n") +
         "  n += 1;\n"
         "  process.stdout.write('ok ' + n + '\\n');\n"
         "});\n";
}

// A node child and its stdout.
class NodeChild {
 public:
  // Starts `node -e script` (probe environment for `probe_dir` unless it is
  // empty) with only PATH and HOME from this process.
  static std::unique_ptr<NodeChild> Start(const std::string& script,
                                          const std::filesystem::path& probe_dir,
                                          Supervision supervision = Supervision::kDirect) {
    std::map<std::string, std::string> env;
    if (!probe_dir.empty()) AddNodeProbeEnv(probe_dir, env);
    SpawnOptions options;
    options.name = "node";
    options.supervision = supervision;
    options.inherit_only = std::vector<std::string>{"PATH", "HOME"};
    Result<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Spawn({"node", "-e", script}, env, options);
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return nullptr;
    return std::unique_ptr<NodeChild>(new NodeChild(std::move(child).value()));
  }

  ChildProcess& process() { return *child_; }
  pid_t pid() const { return child_->pid(); }

  // Sends one line and waits for the next line of stdout; returns it, or
  // what went wrong instead.
  std::string Ask(const std::string& line) {
    if (Status sent = child_->WriteStdin(line + "\n", Clock::now() + testing::kTestWait);
        !sent.ok()) {
      return "cannot send: " + sent.message();
    }
    const Clock::time_point deadline = Clock::now() + testing::kTestWait;
    for (;;) {
      if (const size_t eol = pending_.find('\n', taken_); eol != std::string::npos) {
        std::string answer = pending_.substr(taken_, eol - taken_);
        taken_ = eol + 1;
        return answer;
      }
      if (!ReadSome(deadline)) return "no answer; stderr: " + child_->StderrShortTail();
    }
  }

  // Closes stdin and waits up to `wait` for the child to exit by itself;
  // true if it did. Then everything it wrote to stdout is in stdout().
  bool CloseStdinAndWaitExit(milliseconds wait) {
    child_->RequestStop();
    const bool exited = testing::WaitUntil([this] { return child_->HasExited(); }, wait);
    const Clock::time_point deadline = Clock::now() + milliseconds(2000);
    while (ReadSome(deadline)) {
    }
    return exited;
  }

  // Everything read from the child's stdout so far.
  const std::string& stdout_text() const { return pending_; }

 private:
  explicit NodeChild(std::unique_ptr<ChildProcess> child) : child_(std::move(child)) {}

  // Reads what stdout has until `deadline`; false at EOF or the deadline.
  bool ReadSome(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{child_->stdout_fd(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::read(child_->stdout_fd(), buffer, sizeof buffer);
    if (n <= 0) return n < 0 && errno == EAGAIN;
    pending_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  std::unique_ptr<ChildProcess> child_;
  std::string pending_;
  size_t taken_ = 0;
};

class NodeHeapProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ResolveCommand("node", CommandSearchPath({})).ok()) {
      GOOSE_SKIP_UNLESS_CI("node is not installed (apt-get install nodejs)");
    }
  }

  // True once `pid` has written its probe file (at load).
  bool WaitProbed(pid_t pid) {
    return testing::WaitUntil(
        [&] {
          for (const pid_t probed : probe_.ProbedPids()) {
            if (probed == pid) return true;
          }
          return false;
        },
        testing::kTestWait);
  }

  // heap_used after 100 lines minus before, in bytes; the child must exit
  // by itself on EOF and have written only its "ok" lines.
  double GrowthOver100Lines(bool keep) {
    std::unique_ptr<NodeChild> node = NodeChild::Start(LineScript(keep), dir_.path());
    if (node == nullptr) return -1;
    EXPECT_TRUE(WaitProbed(node->pid())) << node->process().StderrShortTail();
    EXPECT_EQ(node->Ask("warm-up"), "ok 1");
    const Result<double> before = probe_.Read({node->pid()}, kReadTimeout);
    EXPECT_TRUE(before.ok()) << before.status().message();
    EXPECT_EQ(probe_.last_readings().size(), 1u);
    if (!probe_.last_readings().empty()) EXPECT_TRUE(probe_.last_readings()[0].gc);
    for (int i = 2; i <= 101; ++i) {
      const std::string answer = node->Ask("line " + std::to_string(i));
      EXPECT_EQ(answer, "ok " + std::to_string(i));
      if (answer != "ok " + std::to_string(i)) return -1;
    }
    const Clock::time_point start = Clock::now();
    const Result<double> after = probe_.Read({node->pid()}, kReadTimeout);
    const std::chrono::duration<double, std::milli> took = Clock::now() - start;
    EXPECT_TRUE(after.ok()) << after.status().message();
    if (!before.ok() || !after.ok()) return -1;
    std::printf(
        "%s loop: heapUsed %.0f -> %.0f bytes (%+.1f KiB over 100 lines), one Read %.1f ms\n",
        keep ? "leaking" : "clean", *before, *after, (*after - *before) / 1024.0, took.count());

    // The signal listener does not hold the event loop: EOF ends it.
    EXPECT_TRUE(node->CloseStdinAndWaitExit(milliseconds(5000)))
        << "the child outlived its stdin by 5 s";
    const std::optional<ExitStatus> status = node->process().TryReap();
    EXPECT_TRUE(status.has_value() && *status == ExitStatus{})
        << (status ? status->ToString() : "running");
    // Only the script's own lines: nothing of the probe.
    std::string expected;
    for (int i = 1; i <= 101; ++i) expected += "ok " + std::to_string(i) + "\n";
    EXPECT_EQ(node->stdout_text(), expected);
    return *after - *before;
  }

  testing::ScopedTempDir dir_;
  NodeHeapProbe probe_{dir_.path()};
};

TEST_F(NodeHeapProbeTest, ProbeScriptIsNextToTheExecutable) {
  const std::filesystem::path script = NodeProbePath();
  EXPECT_EQ(script.parent_path().parent_path(),
            std::filesystem::read_symlink("/proc/self/exe").parent_path());
  EXPECT_EQ(script.filename(), "leakcheck-node-probe.js");
  EXPECT_TRUE(std::filesystem::exists(script)) << script;
}

TEST_F(NodeHeapProbeTest, EnvKeepsTheCallersNodeOptions) {
  std::map<std::string, std::string> env{{"NODE_OPTIONS", "--max-old-space-size=256"}};
  AddNodeProbeEnv(dir_.path(), env);
  EXPECT_EQ(env["NODE_OPTIONS"],
            "--max-old-space-size=256 --require \"" + NodeProbePath() + "\" --expose-gc");
  EXPECT_EQ(env[kNodeProbeDirEnv], dir_.path().string());
}

TEST_F(NodeHeapProbeTest, LeakingLoopGrowsTheHeapSeries) {
  const double grew = GrowthOver100Lines(/*keep=*/true);
  EXPECT_GE(grew, 4 * kMiB);
}

TEST_F(NodeHeapProbeTest, CleanLoopStaysFlat) {
  const double grew = GrowthOver100Lines(/*keep=*/false);
  EXPECT_GE(grew, -kMiB);  // -1: the run itself failed
  EXPECT_LT(grew, 512 * 1024.0);
}

TEST_F(NodeHeapProbeTest, DroppedObjectsLeaveTheSeriesAtOnce) {
  // 32 MiB in large-object space, then dropped with nothing allocated after
  // it: only a full collection frees that, and V8 has no reason to start
  // one by itself. A reading without the probe's gc() still shows it.
  std::unique_ptr<NodeChild> node = NodeChild::Start(
      "let big = null;\n"
      "require('readline').createInterface({input: process.stdin}).on('line', (l) => {\n"
      "  big = l === 'make' ? Array.from({length: 128}, () => new Array(32768).fill(0.5))"
      " : null;\n"
      "  process.stdout.write(l + 'd\\n');\n"
      "});\n",
      dir_.path());
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(WaitProbed(node->pid())) << node->process().StderrShortTail();
  const Result<double> before = probe_.Read({node->pid()}, kReadTimeout);
  ASSERT_TRUE(before.ok()) << before.status().message();
  ASSERT_EQ(node->Ask("make"), "maked");
  const Result<double> made = probe_.Read({node->pid()}, kReadTimeout);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_GE(*made - *before, 30 * kMiB);
  ASSERT_EQ(node->Ask("drop"), "dropd");
  const Result<double> dropped = probe_.Read({node->pid()}, kReadTimeout);
  ASSERT_TRUE(dropped.ok()) << dropped.status().message();
  EXPECT_LT(*dropped - *before, kMiB) << "the dropped 32 MiB are still counted: no full GC";
}

TEST_F(NodeHeapProbeTest, LauncherAndServerBothCount) {
  // A node launcher whose child node is the server (npx's shape): both
  // inherit NODE_OPTIONS and carry the probe; the launcher exits on EOF
  // because the server does.
  const std::string server = LineScript(/*keep=*/true);
  const std::string launcher =
      "const c = require('child_process').spawn(process.execPath, ['-e', " +
      std::string("process.env.SERVER], {stdio: 'inherit'});\n") +
      "c.on('exit', (code) => process.exit(code));\n";
  std::map<std::string, std::string> env{{"SERVER", server}};
  AddNodeProbeEnv(dir_.path(), env);
  SpawnOptions options;
  options.supervision = Supervision::kDirect;
  options.inherit_only = std::vector<std::string>{"PATH", "HOME"};
  Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({"node", "-e", launcher}, env, options);
  ASSERT_TRUE(child.ok()) << child.status().message();
  const pid_t launcher_pid = (*child)->pid();
  ASSERT_TRUE(
      testing::WaitUntil([&] { return probe_.ProbedPids().size() == 2; }, testing::kTestWait))
      << (*child)->StderrShortTail();
  std::vector<pid_t> tree{launcher_pid};
  for (const ProcStat& descendant : Descendants(launcher_pid)) tree.push_back(descendant.pid);
  std::sort(tree.begin(), tree.end());
  const Result<double> heap = probe_.Read(tree, kReadTimeout);
  ASSERT_TRUE(heap.ok()) << heap.status().message();
  ASSERT_EQ(probe_.last_readings().size(), 2u);
  EXPECT_EQ(*heap, static_cast<double>(probe_.last_readings()[0].heap_used +
                                       probe_.last_readings()[1].heap_used));
  EXPECT_EQ(probe_.ProbedPids(), tree);

  // Once the tree has exited, nothing carries the probe any more.
  (*child)->RequestStop();
  EXPECT_TRUE(testing::WaitUntil([&] { return (*child)->HasExited(); }, milliseconds(5000)));
  const Result<double> gone = probe_.Read(tree, kReadTimeout);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
}

TEST_F(NodeHeapProbeTest, NoProbedProcessSaysNodeOptionsMayHaveBeenCleared) {
  // A node child started without the probe's environment writes nothing.
  std::unique_ptr<NodeChild> node = NodeChild::Start(LineScript(false), {});
  ASSERT_NE(node, nullptr);
  ASSERT_EQ(node->Ask("x"), "ok 1");
  const Result<double> heap = probe_.Read({node->pid(), ::getpid()}, kReadTimeout);
  ASSERT_FALSE(heap.ok());
  EXPECT_EQ(heap.status().code(), StatusCode::kNotFound);
  EXPECT_NE(heap.status().message().find("NODE_OPTIONS"), std::string::npos)
      << heap.status().message();
  EXPECT_TRUE(probe_.ProbedPids().empty());
}

TEST_F(NodeHeapProbeTest, BlockedEventLoopTimesOutNamingThePid) {
  // Busy for 3 s once the first line arrives: the signal waits its turn.
  std::unique_ptr<NodeChild> node = NodeChild::Start(
      "process.stdin.once('data', () => {\n"
      "  process.stdout.write('busy\\n');\n"
      "  const end = Date.now() + 3000;\n"
      "  while (Date.now() < end) {}\n"
      "});\n",
      dir_.path());
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(WaitProbed(node->pid())) << node->process().StderrShortTail();
  ASSERT_EQ(node->Ask("go"), "busy");
  const Result<double> heap = probe_.Read({node->pid()}, milliseconds(200));
  ASSERT_FALSE(heap.ok());
  EXPECT_EQ(heap.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(heap.status().message().find(std::to_string(node->pid())), std::string::npos)
      << heap.status().message();
}

}  // namespace
}  // namespace goose::scenarios
