#include "core/base/utc_time.h"

namespace goose {

std::string FormatUtc(std::time_t t, const char* format) {
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::string();
  char text[256];
  const size_t n = std::strftime(text, sizeof text, format, &tm);
  return std::string(text, n);
}

std::string UtcNow(const char* format) { return FormatUtc(std::time(nullptr), format); }

}  // namespace goose
