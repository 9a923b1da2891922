#include "core/base/setting_value.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "core/base/strings.h"

namespace goose {
namespace {

std::string Number(double v) {
  std::ostringstream out;
  out.precision(12);
  out << v;
  return out.str();
}

Status Refuse(std::string_view key, std::string_view value, const std::string& want) {
  return InvalidArgument(std::string(key) + " must be " + want + ", not \"" + std::string(value) +
                         "\"");
}

}  // namespace

std::string IntegerRange(int64_t lo, int64_t hi) {
  return std::to_string(lo) + " to " + std::to_string(hi);
}

std::string SecondsRange(double lo, double hi) {
  return Number(lo) + " to " + Number(hi) + " seconds";
}

Result<int64_t> ParseIntegerSetting(std::string_view key, std::string_view value, int64_t lo,
                                    int64_t hi) {
  const std::string_view t = Trim(value);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < lo || v > hi) {
    return Refuse(key, value, "a whole number from " + IntegerRange(lo, hi));
  }
  return v;
}

Result<double> ParseSecondsSetting(std::string_view key, std::string_view value, double lo,
                                   double hi) {
  const std::string_view t = Trim(value);
  double v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v) || v < lo ||
      v > hi) {
    return Refuse(key, value, "a number of seconds from " + SecondsRange(lo, hi));
  }
  return v;
}

}  // namespace goose
