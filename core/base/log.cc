#include "core/base/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "core/base/utc_time.h"

namespace goose {
namespace {

LogLevel InitialLevel() {
  LogLevel level = LogLevel::kInfo;
  const char* env = std::getenv("GOOSE_API_LOG_LEVEL");  // NOLINT(concurrency-mt-unsafe)
  if (env != nullptr) ParseLogLevel(env, &level);
  return level;
}

std::atomic<int>& Level() {
  static std::atomic<int> level{static_cast<int>(InitialLevel())};
  return level;
}

const char* LevelTag(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "E";
    case LogLevel::kWarn:
      return "W";
    case LogLevel::kInfo:
      return "I";
    case LogLevel::kDebug:
      return "D";
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel level) { Level().store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(Level().load()); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= Level().load(); }

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "error")
    *level = LogLevel::kError;
  else if (text == "warn")
    *level = LogLevel::kWarn;
  else if (text == "info")
    *level = LogLevel::kInfo;
  else if (text == "debug")
    *level = LogLevel::kDebug;
  else
    return false;
  return true;
}

std::string RedactSecret(std::string_view secret) {
  if (secret.empty()) return "(none)";
  if (secret.size() < 12) return "(set, " + std::to_string(secret.size()) + " chars)";
  return std::string(secret.substr(0, 3)) + "..." + std::string(secret.substr(secret.size() - 4));
}

LogLine::LogLine(LogLevel level) : level_(level) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(ms));
  out_ << LevelTag(level_) << ' ' << FormatUtc(t, "%H:%M:%S") << millis << ' ';
}

LogLine::~LogLine() {
  out_ << '\n';
  const std::string line = out_.str();
  // One write(2) per line: atomic for lines under PIPE_BUF on pipes, and
  // never interleaved mid-line by our own threads.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace goose
