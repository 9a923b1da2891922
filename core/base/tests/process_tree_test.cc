#include "core/base/process_tree.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

extern char** environ;  // NOLINT: POSIX

namespace goose {
namespace {

TEST(ProcessTreeTest, ParsesStatWithAwkwardCommandName) {
  const std::string text =
      "4242 (a) b (c)) S 17 4242 4242 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 987654 3133440 389 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto st = ParseProcStat(text.data(), text.size());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, 4242);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 17);
  EXPECT_EQ(st->pgid, 4242);
  EXPECT_EQ(st->sid, 4242);
  EXPECT_EQ(st->start_time, 987654u);
}

TEST(ProcessTreeTest, RejectsTruncatedStat) {
  const std::string text = "12 (x) S 1 12";
  EXPECT_FALSE(ParseProcStat(text.data(), text.size()).has_value());
  EXPECT_FALSE(ParseProcStat("", 0).has_value());
}

TEST(ProcessTreeTest, ReadsThisProcess) {
  auto st = ReadProcStat(::getpid());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, ::getpid());
  EXPECT_EQ(st->ppid, ::getppid());
  EXPECT_EQ(st->pgid, ::getpgrp());
  EXPECT_GT(st->start_time, 0u);
}

// A child of ours shows up as a descendant, and a reference with the wrong
// start time (a recycled pid) is never signalled.
TEST(ProcessTreeTest, FindsAChildAndSignalsOnlyTheSameProcess) {
  pid_t pid = -1;
  char arg0[] = "sleep";
  char arg1[] = "60";
  char* argv[] = {arg0, arg1, nullptr};
  ASSERT_EQ(::posix_spawnp(&pid, "sleep", nullptr, nullptr, argv, environ), 0);
  std::vector<ProcessRef> refs = DescendantRefs(::getpid());
  auto it =
      std::find_if(refs.begin(), refs.end(), [&](const ProcessRef& r) { return r.pid == pid; });
  ASSERT_NE(it, refs.end());
  EXPECT_TRUE(IsRunning(*it));

  ProcessRef stale = *it;
  stale.start_time += 1;
  EXPECT_EQ(SignalProcesses({stale}, SIGKILL), 0);
  EXPECT_FALSE(IsRunning(stale));
  EXPECT_TRUE(IsRunning(*it));

  EXPECT_EQ(SignalProcesses({*it}, SIGKILL), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(IsRunning(*it));
  EXPECT_EQ(SignalProcesses({*it}, SIGKILL), 0);  // gone: nothing to signal
}

}  // namespace
}  // namespace goose
