// Cells of the plain-text verdict tables that leakcheck and leakgate-report
// print from their JSON results. A field that is missing or not a number
// (a result from an older or a crashed writer) prints as "-", never throws.

#ifndef GOOSE_SCENARIOS_REPORT_REPORT_TEXT_H_
#define GOOSE_SCENARIOS_REPORT_REPORT_TEXT_H_

#include <string>

#include "core/base/json.h"

namespace goose::scenarios {

// `value` with `digits` decimals (FormatFixed), or "-" when it is not a
// number: FixedOrDash(Json(2.25), 1) == "2.2", FixedOrDash(Json(), 1) == "-".
std::string FixedOrDash(const Json& value, int digits = 1);

// A heap series' slope, its 99% bounds and its threshold, as the tables
// show them: "12.5 [10.0, 15.0] vs 64". "-" when it has no numeric slope.
std::string HeapSlopeText(const Json& series);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_REPORT_TEXT_H_
