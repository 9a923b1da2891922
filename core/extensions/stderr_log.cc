#include "core/extensions/stderr_log.h"

#include <algorithm>

#include "core/base/log.h"

namespace goose {

std::string PrintableForLog(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

StderrLog::StderrLog(std::string name, StderrLogOptions options)
    : name_(std::move(name)),
      options_(options),
      splitter_(std::max<size_t>(1, options.max_logged_line)) {}

void StderrLog::Feed(std::string_view bytes) {
  {
    MutexLock lock(mu_);
    total_bytes_ += bytes.size();
    if (bytes.size() >= options_.tail_bytes) {
      tail_.assign(bytes.substr(bytes.size() - options_.tail_bytes));
    } else {
      tail_.append(bytes);
      // Trim only once the buffer doubles, so appends stay amortised O(1).
      if (tail_.size() > 2 * options_.tail_bytes)
        tail_.erase(0, tail_.size() - options_.tail_bytes);
    }
  }
  if (!options_.log) return;
  splitter_.Feed(bytes, [this](std::string_view line, size_t dropped) { LogLine(line, dropped); });
}

void StderrLog::Finish() {
  if (!options_.log) return;
  splitter_.Finish([this](std::string_view line, size_t dropped) { LogLine(line, dropped); });
  FlushSuppressed();
}

void StderrLog::LogLine(std::string_view line, size_t dropped) {
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    FlushSuppressed();
    window_start_ = now;
    lines_in_window_ = 0;
  }
  if (lines_in_window_ >= options_.max_lines_per_second) {
    ++suppressed_;
    return;
  }
  ++lines_in_window_;
  if (dropped > 0) {
    GOOSE_LOG(kInfo) << "extension " << name_ << " stderr: " << PrintableForLog(line) << " [+"
                     << dropped << " bytes cut]";
  } else {
    GOOSE_LOG(kInfo) << "extension " << name_ << " stderr: " << PrintableForLog(line);
  }
}

void StderrLog::FlushSuppressed() {
  if (suppressed_ == 0) return;
  GOOSE_LOG(kWarn) << "extension " << name_ << " stderr: suppressed " << suppressed_
                   << " lines (more than " << options_.max_lines_per_second << " a second)";
  suppressed_ = 0;
}

std::string StderrLog::Tail() const {
  MutexLock lock(mu_);
  std::string_view tail = tail_;
  if (tail.size() > options_.tail_bytes) tail.remove_prefix(tail.size() - options_.tail_bytes);
  // Start at a line boundary when the cut fell inside a line.
  if (tail.size() == options_.tail_bytes) {
    size_t nl = tail.find('\n');
    if (nl != std::string_view::npos && nl + 1 < tail.size()) tail.remove_prefix(nl + 1);
  }
  return std::string(tail);
}

std::string StderrLog::ShortTail(size_t max_bytes) const {
  std::string tail = Tail();
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' '))
    tail.pop_back();
  if (tail.size() > max_bytes) tail.erase(0, tail.size() - max_bytes);
  std::string out;
  out.reserve(tail.size());
  for (char c : tail) {
    if (c == '\n') {
      out += " | ";
    } else if (c != '\r') {
      out += c;
    }
  }
  return PrintableForLog(out);
}

uint64_t StderrLog::total_bytes() const {
  MutexLock lock(mu_);
  return total_bytes_;
}

}  // namespace goose
