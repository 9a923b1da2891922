#include "core/base/json.h"

#include <atomic>
#include <limits>

#include "core/base/failpoint.h"
#include "core/base/file_io.h"

namespace goose {

const Json* NonNullField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}
namespace {
const nlohmann::json& EmptyArray() {
  static const nlohmann::json* const empty = new nlohmann::json(nlohmann::json::array());
  return *empty;
}
const nlohmann::json& EmptyObject() {
  static const nlohmann::json* const empty = new nlohmann::json(nlohmann::json::object());
  return *empty;
}
}  // namespace

std::string JsonDump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void JsonDumpTo(const Json& json, std::string* out) {
  // What Json::dump does, with the output adapter appending to *out.
  nlohmann::detail::serializer<Json> serializer(
      nlohmann::detail::output_adapter<char, std::string>(*out), ' ',
      Json::error_handler_t::replace);
  serializer.dump(json, /*pretty_print=*/false, /*ensure_ascii=*/false, 0);
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` (2-4),
// or 0 when it is not one: the sequences nlohmann's decoder accepts (no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto continuation = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const unsigned char lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead == 0xE0) return continuation(1, 0xA0) && continuation(2) ? 3 : 0;
  if (lead == 0xED) return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
  if (lead >= 0xE1 && lead <= 0xEF) return continuation(1) && continuation(2) ? 3 : 0;
  if (lead == 0xF0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead == 0xF4) {
    return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
  }
  if (lead >= 0xF1 && lead <= 0xF3) {
    return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

void JsonStringTo(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out->size();
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // The longest run that needs no escaping, copied at once.
    size_t run = i;
    while (run < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out->append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(text.substr(i));
      if (n == 0) {
        // Invalid UTF-8: nlohmann's replacement rules, whole string.
        out->resize(start);
        JsonDumpTo(Json(std::string(text)), out);
        return;
      }
      out->append(text.data() + i, n);
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:  // the other control characters, as nlohmann: \u00xx
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
        break;
    }
    ++i;
  }
  out->push_back('"');
}

namespace {

std::atomic<int> depth_limit{kDefaultJsonDepthLimit};

// nlohmann's DOM builder with the depth counted: its SAX parser is a loop
// with a stack of its own, so refusing here bounds everything after.
class DepthLimitedBuilder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  DepthLimitedBuilder(Json* result, int max_depth)
      : dom_(*result, /*allow_exceptions=*/false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return Deeper() && dom_.start_object(n); }
  bool key(string_t& v) { return dom_.key(v); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return Deeper() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error_at_ = position;
    out_of_range_ = e.id >= 400 && e.id < 500;  // a number beyond a double (1e999)
    return false;
  }

  bool too_deep() const { return too_deep_; }
  std::size_t error_at() const { return error_at_; }
  bool out_of_range() const { return out_of_range_; }

 private:
  bool Deeper() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool out_of_range_ = false;
  std::size_t error_at_ = 0;
};

}  // namespace

int JsonDepthLimit() {
  // raise_json_depth: the limit loosened 4x, for the canary that proves a
  // gate fails on a raised limit, not only on a removed one.
  const int depth = depth_limit.load(std::memory_order_relaxed);
  return RaisedLimit(Failpoint::kRaiseJsonDepth, depth);
}

void SetJsonDepthLimit(int depth) { depth_limit.store(depth, std::memory_order_relaxed); }

Result<Json> JsonParse(std::string_view text, std::string_view what) {
  const int limit =
      FailpointOn(Failpoint::kLiftJsonDepth) ? std::numeric_limits<int>::max() : JsonDepthLimit();
  Json result;
  DepthLimitedBuilder builder(&result, limit);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const Json::exception&) {
    ok = false;  // nlohmann reports some errors (out_of_range) by throwing
  }
  if (ok) return result;
  if (builder.too_deep()) {
    return InvalidArgument(std::string(what) + " nests deeper than " + std::to_string(limit) +
                           " levels (GOOSE_API_MAX_JSON_DEPTH)");
  }
  if (builder.out_of_range()) {
    return InvalidArgument(std::string(what) + " is not valid JSON (a number is out of range)");
  }
  return InvalidArgument(std::string(what) + " is not valid JSON (at byte " +
                         std::to_string(builder.error_at()) + ")");
}

Result<Json> ReadJsonFile(const std::filesystem::path& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return JsonParse(*text, path.string());
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& json, std::string path)
    : json_(json), path_(std::move(path)) {
  if (!json_.is_object())
    Fail((path_.empty() ? std::string("value") : path_) + " must be an object");
}

std::string JsonObjectReader::PathOf(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void JsonObjectReader::Fail(std::string message) {
  if (status_.ok()) status_ = InvalidArgument(std::move(message));
}

bool JsonObjectReader::Has(const std::string& key) const {
  return json_.is_object() && json_.contains(key);
}

const nlohmann::json* JsonObjectReader::Find(const std::string& key, bool required) {
  if (!ok()) return nullptr;
  read_.insert(key);
  auto it = json_.find(key);
  if (it == json_.end()) {
    if (required) Fail(PathOf(key) + " is missing");
    return nullptr;
  }
  return &*it;
}

std::string JsonObjectReader::String(const std::string& key) {
  const nlohmann::json* v = Find(key, true);
  if (v == nullptr) return {};
  if (!v->is_string()) {
    Fail(PathOf(key) + " must be a string");
    return {};
  }
  return v->get<std::string>();
}

std::optional<std::string> JsonObjectReader::OptionalString(const std::string& key) {
  const nlohmann::json* v = Find(key, false);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    Fail(PathOf(key) + " must be a string or null");
    return std::nullopt;
  }
  return v->get<std::string>();
}

int64_t JsonObjectReader::Int(const std::string& key) {
  const nlohmann::json* v = Find(key, true);
  if (v == nullptr) return 0;
  if (!v->is_number_integer()) {
    Fail(PathOf(key) + " must be an integer");
    return 0;
  }
  return v->get<int64_t>();
}

std::optional<int64_t> JsonObjectReader::OptionalInt(const std::string& key) {
  const nlohmann::json* v = Find(key, false);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number_integer()) {
    Fail(PathOf(key) + " must be an integer or null");
    return std::nullopt;
  }
  return v->get<int64_t>();
}

const nlohmann::json& JsonObjectReader::Array(const std::string& key) {
  const nlohmann::json* v = Find(key, true);
  if (v == nullptr) return EmptyArray();
  if (!v->is_array()) {
    Fail(PathOf(key) + " must be an array");
    return EmptyArray();
  }
  return *v;
}

const nlohmann::json& JsonObjectReader::Object(const std::string& key) {
  const nlohmann::json* v = Find(key, true);
  if (v == nullptr) return EmptyObject();
  if (!v->is_object()) {
    Fail(PathOf(key) + " must be an object");
    return EmptyObject();
  }
  return *v;
}

nlohmann::json JsonObjectReader::Any(const std::string& key, nlohmann::json fallback) {
  const nlohmann::json* v = Find(key, false);
  return v == nullptr ? std::move(fallback) : *v;
}

nlohmann::json JsonObjectReader::Rest() const {
  // Null, not an empty object, when every key was read: most messages have
  // no unknown fields, and an empty object still allocates.
  nlohmann::json rest;
  if (!json_.is_object()) return rest;
  for (auto it = json_.begin(); it != json_.end(); ++it) {
    if (read_.count(it.key()) == 0) rest[it.key()] = it.value();
  }
  return rest;
}

}  // namespace goose
