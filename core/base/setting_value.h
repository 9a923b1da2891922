// Parsing one setting's value, with the range every numeric setting has.
//
// A value outside its range, or not a number, is an error that names the
// setting, the range and the value, e.g.
//   GOOSE_API_THREADS must be a whole number from 1 to 1024, not "x"
// so that an absurd setting is refused at start, never clamped in silence.

#ifndef GOOSE_CORE_BASE_SETTING_VALUE_H_
#define GOOSE_CORE_BASE_SETTING_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose {

// A whole number in [lo, hi].
Result<int64_t> ParseIntegerSetting(std::string_view key, std::string_view value, int64_t lo,
                                    int64_t hi);

// A number of seconds in [lo, hi] (fractions allowed).
Result<double> ParseSecondsSetting(std::string_view key, std::string_view value, double lo,
                                   double hi);

// "1 to 1024", "0.01 to 2592000 seconds": how a range reads in messages and
// in --help.
std::string IntegerRange(int64_t lo, int64_t hi);
std::string SecondsRange(double lo, double hi);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_SETTING_VALUE_H_
