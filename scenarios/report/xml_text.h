// Escaping for XML documents (the JUnit file): the one place that turns
// report text into XML character data or a quoted attribute value.

#ifndef GOOSE_SCENARIOS_REPORT_XML_TEXT_H_
#define GOOSE_SCENARIOS_REPORT_XML_TEXT_H_

#include <string>
#include <string_view>

namespace goose::scenarios {

enum class XmlContext {
  kText,       // element content: tab, newline and carriage return kept as they are
  kAttribute,  // a quoted attribute value: they become character references, which
               // a parser keeps (it would normalize them to spaces otherwise)
};

// `text` as XML 1.0 character data, safe in element content and in a
// double- or single-quoted attribute: &, <, >, " and ' become entities;
// the control characters XML 1.0 cannot carry even escaped (an ANSI colour
// in a log line) and bytes that are not UTF-8 become U+FFFD.
std::string XmlEscape(std::string_view text, XmlContext context = XmlContext::kAttribute);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_XML_TEXT_H_
