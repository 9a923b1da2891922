// Text helpers of the HTML report: escaping and numbers in human units.
//
// Everything a report shows that came from its JSON goes through
// HtmlEscape(); numbers go through FormatQuantity(), which prints bytes as
// B/KiB/MiB/GiB and counts as plain numbers, so a person reads "1.5 MiB"
// rather than "1572864".

#ifndef GOOSE_SCENARIOS_REPORT_HTML_TEXT_H_
#define GOOSE_SCENARIOS_REPORT_HTML_TEXT_H_

#include <string>
#include <string_view>

namespace goose::scenarios {

// `text` with &, <, >, " and ' replaced by entities: safe in element
// content and in quoted attribute values.
std::string HtmlEscape(std::string_view text);

// A number for people: up to `significant` significant digits, no
// exponent for everyday magnitudes, no trailing zeros ("12.5", "0",
// "-3", "1.23e+12" only past a trillion). Non-finite values give "-".
std::string FormatNumber(double value, int significant = 3);

// The power of 1024 that suits a byte value of this magnitude:
// 1 (B), 1024 (KiB), 1024^2 (MiB) or 1024^3 (GiB), and its unit name.
struct ByteScale {
  double divisor = 1;
  const char* unit = "B";
};
ByteScale ByteScaleFor(double magnitude);

// `value` in `unit`: for unit "B" in the scale that suits it ("1.5 MiB",
// "-512 B"); otherwise the number followed by the unit when there is one.
// Non-finite values give "-".
std::string FormatQuantity(double value, std::string_view unit);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_HTML_TEXT_H_
