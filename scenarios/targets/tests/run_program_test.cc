#include "scenarios/targets/run_program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/base/unique_fd.h"
#include "harness/test_util.h"
#include "scenarios/targets/heap_profile.h"

namespace goose::scenarios {
namespace {

using ::testing::HasSubstr;

struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    read_end.Reset(fds[0]);
    write_end.Reset(fds[1]);
  }
  UniqueFd read_end, write_end;
};

TEST(DrainPipeTest, ReadsEverythingUntilEndOfFile) {
  Pipe pipe;
  const std::string sent(100000, 'x');
  std::string got;
  std::thread writer([&] {
    size_t off = 0;
    while (off < sent.size()) {
      const ssize_t n = ::write(pipe.write_end.get(), sent.data() + off, sent.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    pipe.write_end.Reset();
  });
  const bool eof = DrainPipe(
      pipe.read_end.get(), [] { return true; }, [&](std::string_view b) { got.append(b); });
  writer.join();
  EXPECT_TRUE(eof);
  EXPECT_EQ(got, sent);
}

TEST(DrainPipeTest, StopsWhenToldToWithoutEndOfFile) {
  Pipe pipe;  // the write end stays open: no end of file ever comes
  ASSERT_EQ(::write(pipe.write_end.get(), "ab", 2), 2);
  std::string got;
  int asked = 0;
  const auto start = std::chrono::steady_clock::now();
  const bool eof = DrainPipe(
      pipe.read_end.get(), [&] { return ++asked <= 3; },
      [&](std::string_view b) { got.append(b); });
  EXPECT_FALSE(eof);
  EXPECT_EQ(got, "ab");
  EXPECT_EQ(asked, 4);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(DrainPipeTest, ReadsNothingWhenToldToStopAtOnce) {
  Pipe pipe;
  ASSERT_EQ(::write(pipe.write_end.get(), "ab", 2), 2);
  bool read = false;
  EXPECT_FALSE(DrainPipe(
      pipe.read_end.get(), [] { return false; }, [&](std::string_view) { read = true; }));
  EXPECT_FALSE(read);
}

TEST(RunProgramTest, ReturnsStdoutAndNamesAFailingProgram) {
  Result<std::string> out = RunProgram({"/bin/echo", "hello"}, std::chrono::seconds(30));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "hello\n");
  Result<std::string> failed = RunProgram({"/bin/false"}, std::chrono::seconds(30));
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("/bin/false failed"));
}

TEST(PprofDiffTest, ProfilesThatAreNotThereAreAnErrorFromPprof) {
  if (!ProgramExists("google-pprof")) {
    GOOSE_SKIP_UNLESS_CI("google-pprof is missing (apt-get install google-perftools)");
  }
  testing::ScopedTempDir dir;
  Result<std::string> diff =
      PprofDiff("--text", "/bin/true", dir.path() / "before.heap", dir.path() / "after.heap");
  ASSERT_FALSE(diff.ok());
  EXPECT_EQ(diff.status().code(), StatusCode::kIoError);
  EXPECT_THAT(diff.status().message(), HasSubstr("google-pprof failed"));
}

}  // namespace
}  // namespace goose::scenarios
