// Logging to stderr with levels.
//
//   GOOSE_LOG(kInfo) << "session " << id << " reaped";
//
// One line per statement, written whole under a lock so lines from several
// threads never interleave. The level comes from GOOSE_API_LOG_LEVEL
// (error, warn, info, debug; default info) or SetLogLevel(). Never log a key:
// callers pass RedactSecret(key) when they must mention one.

#ifndef GOOSE_CORE_BASE_LOG_H_
#define GOOSE_CORE_BASE_LOG_H_

#include <sstream>
#include <string>
#include <string_view>

namespace goose {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// "error" | "warn" | "info" | "debug" -> level; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* level);
bool LogEnabled(LogLevel level);

// "sk-...abcd" style: enough to tell keys apart, not enough to use one.
std::string RedactSecret(std::string_view secret);

// Builds one line and writes it on destruction.
class LogLine {
 public:
  explicit LogLine(LogLevel level);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  std::ostream& stream() { return out_; }

 private:
  LogLevel level_;
  std::ostringstream out_;
};

struct LogVoidify {
  void operator&(std::ostream&) {}
};

}  // namespace goose

// glog's trick: the ?: makes GOOSE_LOG one expression, so it is safe under
// an unbraced `if` and costs one branch when the level is off.
#define GOOSE_LOG(level)                         \
  !::goose::LogEnabled(::goose::LogLevel::level) \
      ? (void)0                                  \
      : ::goose::LogVoidify() & ::goose::LogLine(::goose::LogLevel::level).stream()

#endif  // GOOSE_CORE_BASE_LOG_H_
