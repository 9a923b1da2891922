#include "core/base/failpoint.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "core/base/process_stats.h"

namespace goose {
namespace {

class FailpointTest : public ::testing::Test {
 protected:
  ~FailpointTest() override { ClearFailpoints(); }
};

TEST_F(FailpointTest, SwitchByNameAndFromEnv) {
  ASSERT_TRUE(kFailpointsCompiled) << "test presets compile failpoints in";
  EXPECT_FALSE(FailpointOn(Failpoint::kNoReap));
  ASSERT_TRUE(SetFailpoint("no_reap", true).ok());
  EXPECT_TRUE(FailpointOn(Failpoint::kNoReap));
  Status unknown = SetFailpoint("no_such_fault", true);
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("partial_drain"), std::string::npos);  // lists the known ones

  ClearFailpoints();
  std::map<std::string, std::string> env = {{"GOOSE_API_FAILPOINTS", "leak_fd,,retain_heap"}};
  EnvLookup lookup = [&](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ASSERT_TRUE(EnableFailpointsFromEnv(lookup).ok());
  EXPECT_TRUE(FailpointOn(Failpoint::kLeakFd));
  EXPECT_TRUE(FailpointOn(Failpoint::kRetainHeap));
  EXPECT_FALSE(FailpointOn(Failpoint::kLeakHeap));
  env["GOOSE_API_FAILPOINTS"] = "leak_fd,bogus";
  Status s = EnableFailpointsFromEnv(lookup);
  EXPECT_NE(s.message().find("GOOSE_API_FAILPOINTS: unknown failpoint \"bogus\""),
            std::string::npos);
}

TEST_F(FailpointTest, RequestFaultsLeakWhatTheySay) {
  InjectRequestFaults();  // all off: nothing happens
  const int64_t fds = ReadProcessStats().open_fds;
  ASSERT_TRUE(SetFailpoint(Failpoint::kLeakFd, true).ok());
  for (int i = 0; i < 5; ++i) InjectRequestFaults();
  EXPECT_EQ(ReadProcessStats().open_fds, fds + 5);
  ClearFailpoints();

  // Under tsan, a process's first thread also starts TSan's background
  // thread: start one before the baseline so only the leaked ones count.
  std::jthread([] {}).join();
  const int64_t threads = ReadProcessStats().threads;
  ASSERT_TRUE(SetFailpoint(Failpoint::kLeakThread, true).ok());
  for (int i = 0; i < 3; ++i) InjectRequestFaults();
  EXPECT_EQ(ReadProcessStats().threads, threads + 3);
}

}  // namespace
}  // namespace goose
