#include "core/base/strings.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace goose {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string FormatSeconds(std::chrono::milliseconds ms) {
  std::string s = std::to_string(static_cast<double>(ms.count()) / 1000.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + " s";
}

std::string FormatFixed(double value, int digits) {
  char text[64];
  const int n = std::snprintf(text, sizeof text, "%.*f", digits, value);
  if (n < 0) return std::string();
  if (static_cast<size_t>(n) < sizeof text) return text;
  // Too large for the buffer (|value| past 1e60 or so): ask for the size.
  std::string big(static_cast<size_t>(n), '\0');
  std::snprintf(big.data(), big.size() + 1, "%.*f", digits, value);
  return big;
}

void AppendJoined(std::string* out, std::string_view separator, std::string_view item) {
  if (!out->empty()) out->append(separator);
  out->append(item);
}

std::vector<std::string> SplitCommaList(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace goose
