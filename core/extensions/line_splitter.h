// Splits a byte stream into lines with a bound on memory.
//
// A child's stdout and stderr are untrusted: a line may be endless. The
// splitter keeps at most `max_line_bytes` of the current line; the rest of
// an over-long line is counted and dropped, and the line is delivered
// truncated together with the number of bytes dropped, so the caller can
// report it (stdout: skip it; stderr: log the head). Memory use is bounded
// by max_line_bytes whatever arrives.
//
// Not thread-safe: one reader feeds it.

#ifndef GOOSE_CORE_EXTENSIONS_LINE_SPLITTER_H_
#define GOOSE_CORE_EXTENSIONS_LINE_SPLITTER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace goose {

class LineSplitter {
 public:
  // `line` is the line without its "\n" (and without a "\r" before it),
  // cut to max_line_bytes; `dropped` is how many bytes were cut (0 for a
  // whole line). `line` is valid during the call only.
  using LineFn = std::function<void(std::string_view line, size_t dropped)>;
  // Called once per over-long line, the moment it passes max_line_bytes,
  // with the line's first max_line_bytes: a reader can act on a line it
  // will never see the end of. `head` is valid during the call only.
  using OverflowFn = std::function<void(std::string_view head)>;

  // REQUIRES: max_line_bytes > 0.
  explicit LineSplitter(size_t max_line_bytes);

  // Consumes `bytes`, calling `on_line` for every line they complete and
  // `on_overflow` (when given) for every line that passes the limit.
  void Feed(std::string_view bytes, const LineFn& on_line, const OverflowFn& on_overflow = {});

  // At end of stream: delivers an unterminated last line, if any.
  void Finish(const LineFn& on_line);

  // Bytes held for the current, unfinished line (<= max_line_bytes).
  size_t buffered() const { return line_.size(); }
  // The most bytes ever held at once: a test's proof of the bound.
  size_t high_water() const { return high_water_; }
  size_t max_line_bytes() const { return max_; }

 private:
  void Emit(const LineFn& on_line);

  const size_t max_;
  std::string line_;
  size_t dropped_ = 0;
  size_t high_water_ = 0;
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_LINE_SPLITTER_H_
