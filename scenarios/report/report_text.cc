#include "scenarios/report/report_text.h"

#include "core/base/strings.h"

namespace goose::scenarios {
namespace {

const Json& Member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

}  // namespace

std::string FixedOrDash(const Json& value, int digits) {
  return value.is_number() ? FormatFixed(value.get<double>(), digits) : "-";
}

std::string HeapSlopeText(const Json& series) {
  if (!Member(series, "slope").is_number()) return "-";
  return FixedOrDash(Member(series, "slope")) + " [" + FixedOrDash(Member(series, "slope_lower")) +
         ", " + FixedOrDash(Member(series, "slope_upper")) + "] vs " +
         FixedOrDash(Member(series, "threshold"), 0);
}

}  // namespace goose::scenarios
