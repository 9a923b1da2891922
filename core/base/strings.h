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

}  // namespace goose

#endif  // GOOSE_CORE_BASE_STRINGS_H_
