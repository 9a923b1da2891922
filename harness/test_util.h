// Helpers every test shares: temp dirs, whole-file reads and writes, test
// data, bounded polling waits, and the rule for tests that need a tool.

#ifndef GOOSE_HARNESS_TEST_UTIL_H_
#define GOOSE_HARNESS_TEST_UTIL_H_

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/base/file_io.h"

namespace goose::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "goose-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// ReadFile (core/base/file_io.h) for a test: "" when it cannot be read.
inline std::string ReadWholeFile(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFile(path);
  return bytes.ok() ? std::move(*bytes) : std::string();
}

// A session file's bytes as a crash leaves them: its whole lines (each
// ended by '\n', without it) and what follows the last '\n' (a line a
// killed writer cut short; "" when the file ends with a whole line).
struct FileLines {
  std::vector<std::string> whole;
  std::string torn;
};
inline FileLines SplitFileLines(const std::string& bytes) {
  FileLines lines;
  size_t start = 0;
  for (size_t end = bytes.find('\n'); end != std::string::npos; end = bytes.find('\n', start)) {
    lines.whole.push_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  lines.torn = bytes.substr(start);
  return lines;
}

// WriteFile (core/base/file_io.h) for a test, which checks what it wrote.
inline void WriteWholeFile(const std::filesystem::path& path, const std::string& bytes) {
  (void)WriteFile(path, bytes);
}

#if defined(GOOSE_TESTDATA_DIR)
// <GOOSE_TESTDATA_DIR>/<name>, for the test targets that define it.
inline std::filesystem::path TestData(const std::string& name) {
  return std::filesystem::path(GOOSE_TESTDATA_DIR) / name;
}
#endif

// The bound on a test's waits for something that should happen at once: a
// hang is what it catches, not slowness (a busy 2-core machine under ASan).
inline constexpr auto kTestWait = std::chrono::seconds(30);

// Polls `condition` until it holds or `timeout` passes; returns its last
// value. For conditions that settle asynchronously (a reaper, a closing
// socket): a bounded wait, never a fixed sleep.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(100);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

// Whether this run is CI's (CI=true), where everything a test needs must be
// there: a missing tool or privilege is a failure, not a skip.
inline bool InCi() {
  const char* ci = std::getenv("CI");  // NOLINT(concurrency-mt-unsafe): read only
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace goose::testing

// For a test that cannot run here (a tool or a privilege is missing):
// under CI=true it fails, saying so; elsewhere it is skipped with what to
// install. `message` says what is missing and how to get it. Returns from
// the test body, as GTEST_SKIP does.
#define GOOSE_SKIP_UNLESS_CI(message)                          \
  do {                                                         \
    if (::goose::testing::InCi()) {                            \
      GTEST_FAIL() << (message) << " (required when CI=true)"; \
    } else {                                                   \
      GTEST_SKIP() << (message);                               \
    }                                                          \
  } while (0)

#endif  // GOOSE_HARNESS_TEST_UTIL_H_
