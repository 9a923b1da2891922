#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/extensions/child_process.h"
#include "harness/test_util.h"

namespace goose {
namespace {

TEST(ResolveCommandTest, FindsCommandsInPath) {
  auto sh = ResolveCommand("sh", "/nonexistent:/usr/bin:/bin");
  ASSERT_TRUE(sh.ok()) << sh.status().ToString();
  EXPECT_TRUE(*sh == "/usr/bin/sh" || *sh == "/bin/sh") << *sh;
}

TEST(ResolveCommandTest, PathsWithASlashAreTakenAsGiven) {
  auto resolved = ResolveCommand("./does/not/matter", "");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(*resolved, "./does/not/matter");
}

TEST(ResolveCommandTest, MissingCommandSaysSo) {
  auto missing = ResolveCommand("no-such-goose-command", "/usr/bin:/bin");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "cannot run no-such-goose-command: No such file or directory");
}

TEST(ResolveCommandTest, NonExecutableFileIsPermissionDenied) {
  testing::ScopedTempDir dir;
  testing::WriteWholeFile(dir.path() / "tool", "#!/bin/sh\n");
  ASSERT_EQ(::chmod((dir.path() / "tool").c_str(), 0644), 0);
  auto denied = ResolveCommand("tool", dir.path().string());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().message(), "cannot run tool: Permission denied");
  ASSERT_EQ(::chmod((dir.path() / "tool").c_str(), 0755), 0);
  auto found = ResolveCommand("tool", dir.path().string());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (dir.path() / "tool").string());
}

TEST(ResolveCommandTest, EmptyCommandIsRefused) { EXPECT_FALSE(ResolveCommand("", "/bin").ok()); }

}  // namespace
}  // namespace goose
