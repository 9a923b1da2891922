// SIGKILL of the process that owns extensions: nothing of the extension's
// process tree may survive it. The test makes itself a child subreaper (as
// the leak gates' OrphanWatch does), so every orphan of the killed owner
// re-parents here and can be seen, counted and reaped.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "core/base/process_tree.h"
#include "core/base/unique_fd.h"
#include "core/extensions/tests/extension_test_util.h"

extern char** environ;  // NOLINT: POSIX

namespace goose {
namespace {

class SubreaperScope {
 public:
  SubreaperScope() { EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  ~SubreaperScope() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
};

void ReapZombieChildren() {
  for (pid_t pid : testing::ZombieChildrenOfSelf()) ::waitpid(pid, nullptr, WNOHANG);
}

// Kills and reaps whatever descends from this process (test cleanup).
void KillAllDescendants() {
  for (int round = 0; round < 100; ++round) {
    std::vector<ProcessRef> left = DescendantRefs(::getpid());
    if (left.empty()) return;
    SignalProcesses(left, SIGKILL);
    for (const ProcessRef& ref : left) testing::WaitProcessExit(ref, std::chrono::seconds(5));
    ReapZombieChildren();
  }
}

std::string Describe(const std::vector<ProcStat>& procs) {
  std::ostringstream out;
  for (const ProcStat& st : procs)
    out << " pid " << st.pid << " (ppid " << st.ppid << ", " << st.state << ")";
  return out.str();
}

struct Helper {
  pid_t pid = -1;
  UniqueFd stdin_write;
  UniqueFd stdout_read;
};

Helper StartHelper(const std::string& mode) {
  int in[2];
  int out[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  Helper helper;
  helper.stdin_write.Reset(in[1]);
  helper.stdout_read.Reset(out[0]);
  UniqueFd child_in(in[0]);
  UniqueFd child_out(out[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), 1);
  std::string path = GOOSE_OWNER_HELPER_PATH;
  std::string mock = testing::MockMcpPath();
  std::string mode_arg = mode;
  char* argv[] = {path.data(), mock.data(), mode_arg.data(), nullptr};
  EXPECT_EQ(::posix_spawn(&helper.pid, path.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return helper;
}

// Starts the helper, waits for READY and returns every process below it.
std::vector<ProcessRef> StartOwnerWithExtension(const std::string& mode, Helper* helper,
                                                std::vector<pid_t>* grandchildren) {
  *helper = StartHelper(mode);
  testing::LineReader reader(helper->stdout_read.get());
  auto ready = reader.Next(std::chrono::seconds(60));
  EXPECT_TRUE(ready.has_value()) << "the helper did not get ready";
  if (!ready) return {};
  std::istringstream words(*ready);
  std::string tag;
  pid_t child = 0;
  words >> tag >> child;
  EXPECT_EQ(tag, "READY");
  pid_t gc = 0;
  while (words >> gc) grandchildren->push_back(gc);
  EXPECT_EQ(grandchildren->size(), 3u) << *ready;
  std::vector<ProcessRef> tree = DescendantRefs(helper->pid);
  for (pid_t pid : *grandchildren) {
    auto ref = testing::RefOf(pid);
    EXPECT_TRUE(ref.has_value()) << "grandchild " << pid << " is not running";
    if (ref && std::find(tree.begin(), tree.end(), *ref) == tree.end()) tree.push_back(*ref);
  }
  return tree;
}

TEST(OwnerSigkillTest, UnderTheShimNothingSurvivesTheOwner) {
  SubreaperScope subreaper;
  Helper helper;
  std::vector<pid_t> grandchildren;
  std::vector<ProcessRef> tree = StartOwnerWithExtension("shim", &helper, &grandchildren);
  ASSERT_GE(tree.size(), 5u);  // shim, mock-mcp, three grandchildren

  ASSERT_EQ(::kill(helper.pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(helper.pid, &status, 0), helper.pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  // The shim re-parents here; its parent-death signal makes it kill its
  // tree, reap it and exit; we reap the shim.
  const bool clean = testing::WaitUntil(
      [] {
        ReapZombieChildren();
        return Descendants(::getpid()).empty();
      },
      testing::kProcessExitBound);
  EXPECT_TRUE(clean) << "left behind:" << Describe(Descendants(::getpid()));
  for (const ProcessRef& ref : tree) EXPECT_FALSE(IsRunning(ref)) << "pid " << ref.pid;
  KillAllDescendants();
}

// The canary: without the shim, the extension itself dies by its
// parent-death signal, but its grandchildren (which nobody told) live on.
// Proves the harness sees what the shim prevents.
TEST(OwnerSigkillTest, WithoutTheShimGrandchildrenSurviveTheOwner) {
  SubreaperScope subreaper;
  Helper helper;
  std::vector<pid_t> grandchildren;
  std::vector<ProcessRef> tree = StartOwnerWithExtension("direct", &helper, &grandchildren);
  ASSERT_EQ(grandchildren.size(), 3u);
  auto setsid_grandchild = testing::RefOf(grandchildren[1]);
  ASSERT_TRUE(setsid_grandchild.has_value());

  ASSERT_EQ(::kill(helper.pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(helper.pid, nullptr, 0), helper.pid);
  // mock-mcp itself goes (parent-death signal)...
  for (const ProcessRef& ref : tree) {
    if (std::find(grandchildren.begin(), grandchildren.end(), ref.pid) == grandchildren.end()) {
      EXPECT_TRUE(testing::WaitProcessExit(ref));
    }
  }
  ReapZombieChildren();
  // ...but the grandchildren are still running, now children of ours.
  EXPECT_TRUE(IsRunning(*setsid_grandchild));
  EXPECT_FALSE(testing::LiveDescendantsOfSelf().empty());
  KillAllDescendants();
  EXPECT_TRUE(Descendants(::getpid()).empty());
}

}  // namespace
}  // namespace goose
