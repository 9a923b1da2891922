#include "core/base/http_framing.h"

#include "core/base/strings.h"

namespace goose {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The first LF not preceded by CR; npos when there is none.
size_t BareLineFeed(std::string_view head) {
  for (size_t i = head.find('\n'); i != std::string_view::npos; i = head.find('\n', i + 1)) {
    if (i == 0 || head[i - 1] != '\r') return i;
  }
  return std::string_view::npos;
}

// Adds the values of one Content-Length field (a comma-separated list) to
// *length; false when one is not a decimal number or differs from *length.
bool MergeContentLength(std::string_view value, std::optional<std::string_view>* length,
                        std::string* error) {
  for (;;) {
    const size_t comma = value.find(',');
    const std::string_view item = Trim(value.substr(0, comma));
    if (item.empty() || item.size() > 18 ||
        item.find_first_not_of("0123456789") != std::string_view::npos) {
      *error = "Content-Length \"" + std::string(item.substr(0, 40)) +
               "\" is not a decimal number (RFC 9112 section 6.3)";
      return false;
    }
    if (*length && **length != item) {
      *error = "conflicting Content-Length values " + std::string(**length) + " and " +
               std::string(item) + " (RFC 9112 section 6.3)";
      return false;
    }
    *length = item;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<std::string> HeadFramingError(std::string_view head) {
  if (BareLineFeed(head) != std::string_view::npos) {
    return "a line of the request head ends in a bare LF; HTTP/1.1 lines end in CRLF "
           "(RFC 9112 section 2.2)";
  }
  const size_t end = head.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;  // not whole yet
  std::string_view lines = head.substr(0, end + kCrlf.size());
  // Past the request line.
  lines.remove_prefix(lines.find(kCrlf) + kCrlf.size());
  std::optional<std::string_view> length;
  bool chunked_or_encoded = false;
  std::string error;
  while (!lines.empty()) {
    const size_t eol = lines.find(kCrlf);
    const std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol + kCrlf.size());
    if (!line.empty() && IsBlank(line.front())) {
      return "a folded header line (obs-fold) is not accepted; send each field on one line "
             "(RFC 9112 section 5.2)";
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // cpp-httplib's to judge
    const std::string_view name = line.substr(0, colon);
    if (!name.empty() && IsBlank(name.back())) {
      return "whitespace between the field name \"" + std::string(Trim(name).substr(0, 40)) +
             "\" and its colon (RFC 9112 section 5.1)";
    }
    const std::string field = Lower(name);
    if (field == "content-length") {
      if (!MergeContentLength(line.substr(colon + 1), &length, &error)) return error;
    } else if (field == "transfer-encoding") {
      chunked_or_encoded = true;
    }
  }
  if (length && chunked_or_encoded) {
    return "both Content-Length and Transfer-Encoding; send one (RFC 9112 section 6.1)";
  }
  return std::nullopt;
}

}  // namespace goose
