// What a child writes to stderr, logged and remembered within bounds.
//
// Each stderr line goes to the server log as
//   "extension <name> stderr: <line>"
// cut to `max_logged_line` bytes, control characters replaced, and at most
// `max_lines_per_second` lines a second (the rest are counted and reported
// as "suppressed N lines"), so a chatty or hostile child cannot flood the
// log. The last `tail_bytes` of raw stderr are kept for error messages
// ("failed to initialize: ...; stderr: <tail>"). Memory is bounded by
// tail_bytes + max_logged_line whatever the child writes.
//
// Thread safety: Feed()/Finish() from one thread; Tail() from any.

#ifndef GOOSE_CORE_EXTENSIONS_STDERR_LOG_H_
#define GOOSE_CORE_EXTENSIONS_STDERR_LOG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/thread_annotations.h"
#include "core/extensions/line_splitter.h"

namespace goose {

struct StderrLogOptions {
  size_t tail_bytes = 64 * 1024;
  size_t max_logged_line = 2048;
  int max_lines_per_second = 50;
  bool log = true;  // false: keep the tail only
};

class StderrLog {
 public:
  StderrLog(std::string name, StderrLogOptions options);
  StderrLog(const StderrLog&) = delete;
  StderrLog& operator=(const StderrLog&) = delete;

  // Takes the next bytes read from the child's stderr.
  void Feed(std::string_view bytes);
  // At EOF: logs an unterminated last line and any suppressed count.
  void Finish();

  // The last tail_bytes of raw stderr (starting at a line boundary when one
  // is within the tail).
  std::string Tail() const;
  // The last `max_bytes` of Tail(), trimmed; for one-line error messages.
  std::string ShortTail(size_t max_bytes) const;
  // Total bytes and lines seen.
  uint64_t total_bytes() const;

 private:
  void LogLine(std::string_view line, size_t dropped);
  void FlushSuppressed();

  const std::string name_;
  const StderrLogOptions options_;
  LineSplitter splitter_;
  // Rate limiting (feeding thread only).
  std::chrono::steady_clock::time_point window_start_{};
  int lines_in_window_ = 0;
  uint64_t suppressed_ = 0;

  mutable Mutex mu_;
  std::string tail_ GUARDED_BY(mu_);  // at most 2 * tail_bytes before trimming
  uint64_t total_bytes_ GUARDED_BY(mu_) = 0;
};

// `text` with bytes below 0x20 (except tab) and DEL replaced by '?', for
// log lines made of a child's output.
std::string PrintableForLog(std::string_view text);

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_STDERR_LOG_H_
