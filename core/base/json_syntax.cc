#include "core/base/json_syntax.h"

#include <cmath>
#include <cstdlib>

namespace goose {
namespace {

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool JsonSyntax::Feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (!Step(static_cast<unsigned char>(c))) return false;
  }
  return state_ != State::kError;
}

bool JsonSyntax::Finish() {
  switch (state_) {
    case State::kNumberZero:
    case State::kNumberInt:
    case State::kNumberFrac:
    case State::kNumberExpInt:
      if (!EndNumber(' ')) return false;
      break;
    default:
      break;
  }
  if (state_ == State::kDone) return true;
  if (state_ != State::kError) Fail(started_ ? "the JSON text ends early" : "no JSON text");
  return false;
}

bool JsonSyntax::Fail(const char* what) {
  if (state_ != State::kError) error_ = what;
  state_ = State::kError;
  return false;
}

void JsonSyntax::EndValue() { state_ = open_.empty() ? State::kDone : State::kAfterValue; }

bool JsonSyntax::StartValue(unsigned char c) {
  if (!started_ && c == 0xEF) return Fail("a byte-order mark before the JSON text");
  const bool first = !started_;
  started_ = true;
  empty_container_ = false;
  switch (c) {
    case '{':
    case '[':
      if (open_.size() >= max_depth_) return Fail("nested deeper than the limit");
      if (first) top_is_object_ = c == '{';
      open_.push_back(static_cast<char>(c));
      empty_container_ = true;
      state_ = c == '{' ? State::kKey : State::kValue;
      return true;
    case '"':
      string_is_key_ = false;
      state_ = State::kString;
      return true;
    case 't':
      literal_ = "true";
      break;
    case 'f':
      literal_ = "false";
      break;
    case 'n':
      literal_ = "null";
      break;
    case '-':
      number_.assign(1, '-');
      state_ = State::kNumberSign;
      return true;
    default:
      if (!IsDigit(c)) return Fail("not a JSON value");
      number_.assign(1, static_cast<char>(c));
      state_ = c == '0' ? State::kNumberZero : State::kNumberInt;
      return true;
  }
  literal_at_ = 1;
  state_ = State::kLiteral;
  return true;
}

bool JsonSyntax::EndNumber(unsigned char c) {
  // Like nlohmann: a number that does not fit a double is an error.
  if (!std::isfinite(std::strtod(number_.c_str(), nullptr))) return Fail("a number overflows");
  number_.clear();
  EndValue();
  return Step(c);
}

bool JsonSyntax::Step(unsigned char c) {
  switch (state_) {
    case State::kValue:
      if (IsSpace(c)) return true;
      if (c == ']' && empty_container_ && !open_.empty() && open_.back() == '[') {
        open_.pop_back();
        empty_container_ = false;
        EndValue();
        return true;
      }
      return StartValue(c);
    case State::kAfterValue:
      if (IsSpace(c)) return true;
      if (c == ',') {
        state_ = open_.back() == '{' ? State::kKey : State::kValue;
        empty_container_ = false;
        return true;
      }
      if ((c == '}' && open_.back() == '{') || (c == ']' && open_.back() == '[')) {
        open_.pop_back();
        EndValue();
        return true;
      }
      return Fail("expected ',' or the container's end");
    case State::kKey:
      if (IsSpace(c)) return true;
      if (c == '"') {
        string_is_key_ = true;
        state_ = State::kString;
        empty_container_ = false;
        return true;
      }
      if (c == '}' && empty_container_) {
        open_.pop_back();
        empty_container_ = false;
        EndValue();
        return true;
      }
      return Fail("expected a key");
    case State::kColon:
      if (IsSpace(c)) return true;
      if (c == ':') {
        state_ = State::kValue;
        return true;
      }
      return Fail("expected ':' after a key");
    case State::kString:
      if (want_low_surrogate_ && c != '\\') return Fail("a lone high surrogate");
      if (c == '"') {
        if (string_is_key_) {
          string_is_key_ = false;
          state_ = State::kColon;
        } else {
          EndValue();
        }
        return true;
      }
      if (c == '\\') {
        state_ = State::kEscape;
        return true;
      }
      if (c < 0x20) return Fail("a control character in a string");
      if (c < 0x80) return true;
      // The lead byte of a UTF-8 sequence (RFC 3629: no overlong forms,
      // no surrogates, nothing past U+10FFFF).
      utf8_lo_ = 0x80;
      utf8_hi_ = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        utf8_left_ = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        utf8_left_ = 2;
        if (c == 0xE0) utf8_lo_ = 0xA0;
        if (c == 0xED) utf8_hi_ = 0x9F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        utf8_left_ = 3;
        if (c == 0xF0) utf8_lo_ = 0x90;
        if (c == 0xF4) utf8_hi_ = 0x8F;
      } else {
        return Fail("invalid UTF-8 in a string");
      }
      state_ = State::kUtf8;
      return true;
    case State::kUtf8:
      if (c < utf8_lo_ || c > utf8_hi_) return Fail("invalid UTF-8 in a string");
      utf8_lo_ = 0x80;
      utf8_hi_ = 0xBF;
      if (--utf8_left_ == 0) state_ = State::kString;
      return true;
    case State::kEscape:
      if (c == 'u') {
        hex_left_ = 4;
        code_unit_ = 0;
        state_ = State::kHex;
        return true;
      }
      if (want_low_surrogate_) return Fail("a lone high surrogate");
      switch (c) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          state_ = State::kString;
          return true;
        default:
          return Fail("an invalid escape in a string");
      }
    case State::kHex: {
      const int v = HexValue(c);
      if (v < 0) return Fail("an invalid \\u escape");
      code_unit_ = code_unit_ * 16 + static_cast<uint32_t>(v);
      if (--hex_left_ > 0) return true;
      const bool high = code_unit_ >= 0xD800 && code_unit_ <= 0xDBFF;
      const bool low = code_unit_ >= 0xDC00 && code_unit_ <= 0xDFFF;
      if (want_low_surrogate_) {
        if (!low) return Fail("a lone high surrogate");
        want_low_surrogate_ = false;
      } else if (low) {
        return Fail("a lone low surrogate");
      } else {
        want_low_surrogate_ = high;
      }
      state_ = State::kString;
      return true;
    }
    case State::kLiteral:
      if (c != static_cast<unsigned char>(literal_[literal_at_])) return Fail("not a JSON value");
      if (++literal_at_ == literal_.size()) EndValue();
      return true;
    case State::kNumberSign:
    case State::kNumberZero:
    case State::kNumberInt:
    case State::kNumberDot:
    case State::kNumberFrac:
    case State::kNumberExp:
    case State::kNumberExpSign:
    case State::kNumberExpInt:
      return StepNumber(c);
    case State::kDone:
      if (IsSpace(c)) return true;
      return Fail("more after the JSON text");
    case State::kError:
      return false;
  }
  return Fail("unreachable");
}

bool JsonSyntax::StepNumber(unsigned char c) {
  State next = State::kError;
  switch (state_) {
    case State::kNumberSign:
      if (IsDigit(c)) next = c == '0' ? State::kNumberZero : State::kNumberInt;
      break;
    case State::kNumberZero:
    case State::kNumberInt:
      if (IsDigit(c) && state_ == State::kNumberInt) next = State::kNumberInt;
      if (c == '.') next = State::kNumberDot;
      if (c == 'e' || c == 'E') next = State::kNumberExp;
      if (next == State::kError && !IsDigit(c)) return EndNumber(c);
      break;
    case State::kNumberDot:
      if (IsDigit(c)) next = State::kNumberFrac;
      break;
    case State::kNumberFrac:
      if (IsDigit(c)) next = State::kNumberFrac;
      if (c == 'e' || c == 'E') next = State::kNumberExp;
      if (next == State::kError) return EndNumber(c);
      break;
    case State::kNumberExp:
      if (c == '+' || c == '-') next = State::kNumberExpSign;
      if (IsDigit(c)) next = State::kNumberExpInt;
      break;
    case State::kNumberExpSign:
    case State::kNumberExpInt:
      if (IsDigit(c)) next = State::kNumberExpInt;
      if (next == State::kError && state_ == State::kNumberExpInt) return EndNumber(c);
      break;
    default:
      break;
  }
  if (next == State::kError) return Fail("a malformed number");
  if (number_.size() >= kMaxNumberChars) return Fail("a number longer than the limit");
  number_.push_back(static_cast<char>(c));
  state_ = next;
  return true;
}

}  // namespace goose
