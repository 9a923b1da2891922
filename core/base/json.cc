#include "core/base/json.h"

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

Result<Json> JsonParse(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return InvalidArgument(std::string(what) + " is not valid JSON (at byte " +
                           std::to_string(e.byte) + ")");
  } catch (const Json::exception&) {
    // nlohmann reports a number too large for a double (1e999) as
    // out_of_range, not parse_error; uncaught, it ended the process.
    return InvalidArgument(std::string(what) + " is not valid JSON (a number is out of range)");
  }
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
