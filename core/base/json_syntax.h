// JsonSyntax: checks that bytes fed in pieces are one JSON text (RFC 8259,
// UTF-8), keeping nothing of them.
//
// nlohmann::json's parser (and its accept()) gathers each string into a
// buffer before it judges it, so checking a 1 MiB message line costs 1 MiB
// of memory. This checker keeps only its state and the open containers
// (bounded by max_depth): /session/get sends stored lines as they are and
// checks each on the way, within a fixed memory whatever the line. It
// accepts exactly what nlohmann::json::accept() accepts (the json_syntax
// fuzzer holds the two equal) but for four things it refuses: nesting
// deeper than max_depth, a number longer than kMaxNumberChars, a leading
// byte-order mark (which nlohmann skips) and a NUL byte outside a string
// (where nlohmann ends the text, whatever follows).

#ifndef GOOSE_CORE_BASE_JSON_SYNTAX_H_
#define GOOSE_CORE_BASE_JSON_SYNTAX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace goose {

class JsonSyntax {
 public:
  static constexpr size_t kMaxNumberChars = 4096;

  explicit JsonSyntax(size_t max_depth = 128) : max_depth_(max_depth) {}

  // Feeds the next bytes. False once the text is known to be malformed
  // (and from then on).
  bool Feed(std::string_view bytes);
  // True when everything fed is one whole JSON text.
  bool Finish();

  // The outermost value is an object ('{' was its first byte).
  bool top_is_object() const { return top_is_object_; }
  // What was wrong, once Feed or Finish said false.
  const std::string& error() const { return error_; }

 private:
  enum class State : uint8_t {
    kValue,          // before a value
    kAfterValue,     // after a value: ',', a closing bracket, or the end
    kKey,            // in an object, before a key (or '}' right after '{')
    kColon,          // after a key
    kString,         // in a string
    kEscape,         // after a backslash
    kHex,            // in \uXXXX
    kUtf8,           // inside a multi-byte UTF-8 sequence
    kLiteral,        // in true, false or null
    kNumberSign,     // after '-'
    kNumberZero,     // after a leading 0
    kNumberInt,      // in the integer digits
    kNumberDot,      // after '.'
    kNumberFrac,     // in the fraction digits
    kNumberExp,      // after 'e'
    kNumberExpSign,  // after 'e+' / 'e-'
    kNumberExpInt,   // in the exponent digits
    kDone,           // the top value is closed
    kError,
  };

  bool Step(unsigned char c);
  bool Fail(const char* what);
  // A value ended: what may follow it.
  void EndValue();
  bool StartValue(unsigned char c);
  bool EndNumber(unsigned char c);
  bool StepNumber(unsigned char c);

  size_t max_depth_;
  State state_ = State::kValue;
  std::vector<char> open_;  // '{' or '[' per open container
  bool string_is_key_ = false;
  bool empty_container_ = false;  // just after '{' or '['
  bool top_is_object_ = false;
  bool started_ = false;
  // \uXXXX
  int hex_left_ = 0;
  uint32_t code_unit_ = 0;
  bool want_low_surrogate_ = false;  // a high surrogate needs a \uDC00-DFFF next
  // UTF-8
  int utf8_left_ = 0;
  unsigned char utf8_lo_ = 0x80, utf8_hi_ = 0xBF;  // the next byte's range
  // literals
  std::string_view literal_;
  size_t literal_at_ = 0;
  // The number being read (nlohmann refuses one that overflows a double).
  std::string number_;
  std::string error_;
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_JSON_SYNTAX_H_
