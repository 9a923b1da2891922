#include "core/extensions/line_splitter.h"

#include <algorithm>
#include <cassert>

namespace goose {

// A line buffer that grew past this is given back after its line, so one
// long line does not pin its memory for the life of the extension.
constexpr size_t kKeepCapacity = 64 * 1024;

LineSplitter::LineSplitter(size_t max_line_bytes) : max_(max_line_bytes) { assert(max_ > 0); }

void LineSplitter::Feed(std::string_view bytes, const LineFn& on_line,
                        const OverflowFn& on_overflow) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view part = bytes.substr(0, nl);
    size_t room = max_ - line_.size();
    size_t take = std::min(room, part.size());
    line_.append(part.data(), take);
    const bool first_overflow = dropped_ == 0 && part.size() > take;
    dropped_ += part.size() - take;
    if (first_overflow && on_overflow) on_overflow(line_);
    high_water_ = std::max(high_water_, line_.size());
    if (nl == std::string_view::npos) return;
    Emit(on_line);
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::Finish(const LineFn& on_line) {
  if (!line_.empty() || dropped_ > 0) Emit(on_line);
}

void LineSplitter::Emit(const LineFn& on_line) {
  std::string_view line = line_;
  if (dropped_ == 0 && !line.empty() && line.back() == '\r') line.remove_suffix(1);
  on_line(line, dropped_);
  line_.clear();
  dropped_ = 0;
  if (line_.capacity() > kKeepCapacity) line_.shrink_to_fit();
}

}  // namespace goose
