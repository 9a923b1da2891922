#include "scenarios/report/html_text.h"

#include <cmath>
#include <cstdio>

namespace goose::scenarios {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatNumber(double value, int significant) {
  if (!std::isfinite(value)) return "-";
  if (value == 0) return "0";  // also -0
  char buffer[64];
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e12 || magnitude < 1e-4) {
    std::snprintf(buffer, sizeof buffer, "%.*g", significant, value);
    return buffer;
  }
  // Fixed notation with enough decimals for `significant` digits, then
  // trailing zeros trimmed: 12.50 -> 12.5, 3.00 -> 3.
  const int integer_digits =
      magnitude >= 1 ? static_cast<int>(std::floor(std::log10(magnitude))) + 1 : 0;
  int decimals = significant - integer_digits;
  if (magnitude < 1)
    decimals = significant - static_cast<int>(std::floor(std::log10(magnitude))) - 1;
  if (decimals < 0) decimals = 0;
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string out = buffer;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

ByteScale ByteScaleFor(double magnitude) {
  magnitude = std::fabs(magnitude);
  if (magnitude >= 1024.0 * 1024 * 1024) return {1024.0 * 1024 * 1024, "GiB"};
  if (magnitude >= 1024.0 * 1024) return {1024.0 * 1024, "MiB"};
  if (magnitude >= 1024.0) return {1024.0, "KiB"};
  return {};
}

std::string FormatQuantity(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "-";
  if (unit == "B") {
    const ByteScale scale = ByteScaleFor(value);
    return FormatNumber(value / scale.divisor) + " " + scale.unit;
  }
  std::string out = FormatNumber(value);
  if (!unit.empty()) out += " " + std::string(unit);
  return out;
}

}  // namespace goose::scenarios
