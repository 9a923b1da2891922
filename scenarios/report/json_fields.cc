#include "scenarios/report/json_fields.h"

#include <cmath>

namespace goose::scenarios {

const Json& JsonField(const Json& object, std::string_view key) {
  static const Json* const kNull = new Json(nullptr);
  if (!object.is_object()) return *kNull;
  const auto it = object.find(key);
  return it == object.end() ? *kNull : *it;
}

std::string JsonString(const Json& object, std::string_view key) {
  const Json& v = JsonField(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

double JsonNumber(const Json& object, std::string_view key) {
  const Json& v = JsonField(object, key);
  return v.is_number() ? v.get<double>() : std::nan("");
}

const Json& JsonArray(const Json& object, std::string_view key) {
  static const Json* const kEmpty = new Json(Json::array());
  const Json& v = JsonField(object, key);
  return v.is_array() ? v : *kEmpty;
}

}  // namespace goose::scenarios
