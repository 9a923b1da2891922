// Reading the fields of a report's JSON without throwing: a result written
// by an older or a crashed writer has fields missing or of another type,
// and must still render.

#ifndef GOOSE_SCENARIOS_REPORT_JSON_FIELDS_H_
#define GOOSE_SCENARIOS_REPORT_JSON_FIELDS_H_

#include <string>
#include <string_view>

#include "core/base/json.h"

namespace goose::scenarios {

// `object[key]`, or null when `object` is not an object or has no `key`.
const Json& JsonField(const Json& object, std::string_view key);

// The field as a string; "" when it is missing or not a string.
std::string JsonString(const Json& object, std::string_view key);

// The field as a number; NaN when it is missing or not a number.
double JsonNumber(const Json& object, std::string_view key);

// The field when it is an array, else an empty array.
const Json& JsonArray(const Json& object, std::string_view key);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_JSON_FIELDS_H_
