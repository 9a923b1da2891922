#include "core/base/env.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace goose {
namespace {

constexpr const char* kList = "GOOSE_TEST_REEXEC_LIST";
constexpr const char* kMarker = "GOOSE_TEST_REEXEC_MARKER";
constexpr int kSawTheOption = 42;
constexpr int kSawSomethingElse = 43;

// When this binary is the image ReexecAddsTheOptionOnce starts: exits at
// once, before any test runs, with what it found in the list.
[[maybe_unused]] const bool kReexecutedImageExits = [] {
  if (std::getenv(kMarker) == nullptr) return false;
  const char* list = std::getenv(kList);
  std::_Exit(list != nullptr && std::string(list) == "a=1:b=2" ? kSawTheOption : kSawSomethingElse);
}();

TEST(EnvTest, ReexecAddsTheOptionOnce) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::unsetenv(kMarker);
    ::setenv(kList, "a=1", 1);
    std::string self = "self";
    char* argv[] = {self.data(), nullptr};
    (void)ReexecOnceWithOption(argv, kList, "b=2", kMarker);
    std::_Exit(99);  // not re-executed
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), kSawTheOption);
}

TEST(EnvTest, TheReexecutedImageGoesOn) {
  ::setenv(kMarker, "1", 1);
  ::setenv(kList, "a=1", 1);
  char* argv[] = {nullptr};
  EXPECT_TRUE(ReexecOnceWithOption(argv, kList, "b=2", kMarker).ok());
  EXPECT_STREQ(std::getenv(kList), "a=1");  // untouched
  ::unsetenv(kMarker);
  ::unsetenv(kList);
}

}  // namespace
}  // namespace goose
