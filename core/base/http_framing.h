// The framing rules of RFC 9112 that cpp-httplib 0.11.4 does not enforce,
// checked on a request head before any worker parses it.
//
// cpp-httplib takes the first of two Content-Length fields, skips a line
// that does not end in CRLF (so a head of bare-LF lines never ends, and the
// client waits out the request deadline), and reads a folded header line
// as a new, broken field. Behind a proxy that frames the message the other
// way, each is request smuggling. HeadFramingError() refuses them:
//
//   - a bare LF as a line end (section 2.2 lets a recipient accept it; this
//     server refuses it at once, with 400, rather than wait for a CRLF
//     that will not come);
//   - a folded header line, obs-fold (section 5.2: reject with 400);
//   - whitespace between a field name and its colon (section 5.1: MUST
//     reject with 400);
//   - a Content-Length that is not a decimal number, or two of them (or a
//     list) with different values (section 6.3: an unrecoverable error);
//   - Content-Length together with Transfer-Encoding (section 6.1: such a
//     message "might indicate an attempt to perform request smuggling";
//     refused rather than guessed).
//
// Identical duplicate Content-Length values are accepted, as section 6.3
// allows.

#ifndef GOOSE_CORE_BASE_HTTP_FRAMING_H_
#define GOOSE_CORE_BASE_HTTP_FRAMING_H_

#include <optional>
#include <string>
#include <string_view>

namespace goose {

// Why `head` cannot be framed, in words for a 400 answer; nullopt when it
// can. `head` is the request line and header lines as received, up to and
// including the blank line, or a prefix of them: a bare LF is refused as
// soon as it has arrived; the other rules need the whole head.
std::optional<std::string> HeadFramingError(std::string_view head);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_HTTP_FRAMING_H_
