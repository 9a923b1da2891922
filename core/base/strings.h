// Small string helpers the core shares.

#ifndef GOOSE_CORE_BASE_STRINGS_H_
#define GOOSE_CORE_BASE_STRINGS_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace goose {

// `s` without leading and trailing white space (isspace).
std::string_view Trim(std::string_view s);

// `s` in ASCII lower case.
std::string Lower(std::string_view s);

// The items of a comma-separated list, trimmed, empty ones dropped:
// " a, b,,c " -> {"a", "b", "c"}.
std::vector<std::string> SplitCommaList(std::string_view list);

// A duration for messages: "2 s", "0.25 s".
std::string FormatSeconds(std::chrono::milliseconds ms);

// `value` in fixed-point notation with `digits` decimals, rounded as
// printf's "%.*f" rounds: FormatFixed(2.0 / 3, 2) == "0.67",
// FormatFixed(99.6, 0) == "100".
std::string FormatFixed(double value, int digits);

// Appends `item` to `*out`, after `separator` when `*out` is not empty: the
// step of a join whose items are picked or made one at a time.
//
//   std::string list;
//   for (const Series& s : series) {
//     if (s.leaking) AppendJoined(&list, ", ", s.name);
//   }
void AppendJoined(std::string* out, std::string_view separator, std::string_view item);

// The items of `range` with `separator` between each two:
// Join(std::vector<std::string>{"a", "b"}, ", ") == "a, b"; an empty range
// gives "". An item is anything a std::string_view is made from.
template <typename Range>
std::string Join(const Range& range, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out += separator;
    out += std::string_view(item);
    first = false;
  }
  return out;
}

}  // namespace goose

#endif  // GOOSE_CORE_BASE_STRINGS_H_
