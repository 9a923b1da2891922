// Calendar times in UTC, as reports and logs write them.

#ifndef GOOSE_CORE_BASE_UTC_TIME_H_
#define GOOSE_CORE_BASE_UTC_TIME_H_

#include <ctime>
#include <string>

namespace goose {

// ISO 8601 to the second, as reports stamp their creation.
inline constexpr char kIso8601Utc[] = "%Y-%m-%dT%H:%M:%SZ";

// The UTC calendar time of `t` written by strftime(3) `format`:
// FormatUtc(0, kIso8601Utc) == "1970-01-01T00:00:00Z". A format whose
// result would not fit 255 bytes gives "".
std::string FormatUtc(std::time_t t, const char* format = kIso8601Utc);

// The current time as FormatUtc writes it: "2024-05-01T12:00:00Z".
std::string UtcNow(const char* format = kIso8601Utc);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_UTC_TIME_H_
