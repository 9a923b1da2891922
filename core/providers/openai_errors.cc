#include "core/providers/openai_errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include "core/base/strings.h"

namespace goose {
namespace {

using std::chrono::milliseconds;

// Bodies quoted in messages are cut here: enough to read an HTML error page's
// title or a proxy's complaint, not enough to flood a log.
constexpr size_t kMaxQuotedBodyBytes = 300;

// A non-negative decimal number of `unit`s ("7", "1.5"); nullopt otherwise.
std::optional<milliseconds> ParseNonNegativeNumber(std::string_view text, double unit_ms) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  // Anything beyond a day is nonsense; clamp so the conversion cannot overflow.
  const double ms = std::min(value * unit_ms, 86'400'000.0);
  return milliseconds(static_cast<int64_t>(std::ceil(ms)));
}

// IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7).
std::optional<std::chrono::system_clock::time_point> ParseImfFixdate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  text = Trim(text);
  // "Sun, " day(2) " " month(3) " " year(4) " " hh:mm:ss " GMT"
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto number = [&](size_t at, size_t len) -> std::optional<int> {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + len, v);
    if (ec != std::errc() || end != text.data() + at + len) return std::nullopt;
    return v;
  };
  auto day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2),
       second = number(23, 2);
  auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (!day || !year || !hour || !minute || !second || month == kMonths.end()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  const time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string Shorten(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// Replaces invalid UTF-8 (which a JSON dump would choke on) by round-tripping
// through JsonDump.
std::string SanitizedUtf8(std::string_view text) {
  std::string dumped = JsonDump(Json(std::string(text)));
  Result<Json> back = JsonParse(dumped, "sanitized text");
  return back.ok() && back->is_string() ? back->get<std::string>() : std::string();
}

std::string StringField(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return {};
}

}  // namespace

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  if (auto seconds = ParseNonNegativeNumber(value, 1000.0)) return seconds;
  if (auto date = ParseImfFixdate(value)) {
    if (*date <= now) return milliseconds(0);
    return std::chrono::ceil<milliseconds>(*date - now);
  }
  return std::nullopt;
}

std::optional<milliseconds> RetryDelayFromHeaders(const RetryHeaders& headers,
                                                  std::chrono::system_clock::time_point now) {
  if (headers.retry_after_ms) {
    if (auto ms = ParseNonNegativeNumber(*headers.retry_after_ms, 1.0)) return ms;
  }
  if (headers.retry_after) return ParseRetryAfter(*headers.retry_after, now);
  return std::nullopt;
}

bool IsContextLengthError(std::string_view code, std::string_view message) {
  if (code == "context_length_exceeded" || code == "string_above_max_length") return true;
  const std::string lower = Lower(message);
  return lower.find("context_length_exceeded") != std::string::npos ||
         lower.find("maximum context length") != std::string::npos ||
         lower.find("context length exceeded") != std::string::npos ||
         lower.find("context window") != std::string::npos;
}

std::string ProviderMessageFromBody(std::string_view body) {
  Result<Json> json = JsonParse(body, "error body");
  if (json.ok() && json->is_object()) {
    auto error = json->find("error");
    if (error != json->end()) {
      if (error->is_object()) {
        std::string message = StringField(*error, "message");
        if (!message.empty()) return message;
      } else if (error->is_string() && !error->get<std::string>().empty()) {
        return error->get<std::string>();
      }
    }
    std::string message = StringField(*json, "message");
    if (!message.empty()) return message;
  }
  std::string_view trimmed = Trim(body);
  if (trimmed.empty()) return "(empty body)";
  return SanitizedUtf8(Shorten(trimmed, kMaxQuotedBodyBytes));
}

ProviderError ErrorFromHttpResponse(int status, std::string_view body,
                                    const RetryHeaders& retry_headers, std::string_view origin,
                                    std::chrono::system_clock::time_point now) {
  ProviderError error;
  error.http_status = status;
  std::string code;
  Result<Json> json = JsonParse(body, "error body");
  if (json.ok() && json->is_object()) {
    auto it = json->find("error");
    if (it != json->end()) code = StringField(*it, "code");
  }
  const std::string provider_message = ProviderMessageFromBody(body);
  if (status == 429) {
    error.kind = ProviderErrorKind::kRateLimited;
    error.retry_after = RetryDelayFromHeaders(retry_headers, now);
  } else if ((status == 400 || status == 413) && IsContextLengthError(code, provider_message)) {
    error.kind = ProviderErrorKind::kContextLengthExceeded;
  } else if (status >= 500 && status <= 599) {
    error.kind = ProviderErrorKind::kServerError;
    error.retry_after = RetryDelayFromHeaders(retry_headers, now);
  } else if (status >= 400 && status <= 499) {
    error.kind = ProviderErrorKind::kRequestRejected;
  } else {
    error.kind = ProviderErrorKind::kBadResponse;
  }
  error.message =
      std::string(origin) + " answered HTTP " + std::to_string(status) + ": " + provider_message;
  return error;
}

ProviderError ErrorFromErrorObject(const Json& error_object) {
  ProviderError error;
  std::string message;
  std::string code;
  if (error_object.is_object()) {
    message = StringField(error_object, "message");
    code = StringField(error_object, "code");
    if (code.empty()) code = StringField(error_object, "type");
  } else if (error_object.is_string()) {
    message = error_object.get<std::string>();
  }
  if (message.empty()) message = Shorten(JsonDump(error_object), kMaxQuotedBodyBytes);
  error.kind = IsContextLengthError(code, message) ? ProviderErrorKind::kContextLengthExceeded
                                                   : ProviderErrorKind::kServerError;
  error.message = "the provider sent an error";
  if (!code.empty()) error.message += " (" + code + ")";
  error.message += ": " + message;
  return error;
}

}  // namespace goose
