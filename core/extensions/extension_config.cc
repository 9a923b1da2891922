#include "core/extensions/extension_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace goose {
namespace {

// A day: longer "timeouts" are mistakes (and overflow milliseconds soon).
constexpr double kMaxTimeoutSeconds = 86400;

Status ReadStringArray(const Json& json, const std::string& key, std::vector<std::string>* out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return InvalidArgument(key + " must be an array of strings");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    if (!item.is_string()) {
      return InvalidArgument(key + "[" + std::to_string(i) + "] must be a string");
    }
    out->push_back(item.get<std::string>());
  }
  return Status::Ok();
}

}  // namespace

std::string ExtensionKey(std::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isspace(u)) continue;
    if (std::isalnum(u) || c == '_' || c == '-') {
      key += static_cast<char>(std::tolower(u));
    } else {
      key += '_';
    }
  }
  return key;
}

Result<ExtensionConfig> ExtensionConfigFromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgument("extension config must be a JSON object");
  ExtensionConfig config;

  auto type = json.find("type");
  if (type == json.end()) return InvalidArgument("type is missing (stdio or builtin)");
  if (!type->is_string()) return InvalidArgument("type must be a string (stdio or builtin)");
  const std::string type_name = type->get<std::string>();
  if (type_name == "stdio") {
    config.type = ExtensionType::kStdio;
  } else if (type_name == "builtin") {
    config.type = ExtensionType::kBuiltin;
  } else {
    return InvalidArgument("type \"" + type_name + "\" is not supported (stdio or builtin)");
  }

  auto name = json.find("name");
  if (name == json.end() || name->is_null()) return InvalidArgument("name is missing");
  if (!name->is_string()) return InvalidArgument("name must be a string");
  config.name = name->get<std::string>();
  if (ExtensionKey(config.name).empty()) {
    return InvalidArgument("name must hold at least one letter, digit, '_' or '-'");
  }

  if (auto d = json.find("description"); d != json.end() && !d->is_null()) {
    if (!d->is_string()) return InvalidArgument("description must be a string");
    config.description = d->get<std::string>();
  }

  if (auto t = json.find("timeout"); t != json.end() && !t->is_null()) {
    if (!t->is_number()) return InvalidArgument("timeout must be a positive number of seconds");
    const double seconds = t->get<double>();
    if (!(seconds > 0) || !std::isfinite(seconds) || seconds > kMaxTimeoutSeconds) {
      return InvalidArgument("timeout must be a positive number of seconds (at most 86400)");
    }
    config.timeout = std::chrono::milliseconds(std::max<int64_t>(1, std::llround(seconds * 1000)));
  }

  Status keys = ReadStringArray(json, "env_keys", &config.env_keys);
  if (!keys.ok()) return keys;

  if (config.type == ExtensionType::kBuiltin) return config;

  auto cmd = json.find("cmd");
  if (cmd == json.end() || cmd->is_null()) return InvalidArgument("cmd is missing");
  if (!cmd->is_string() || cmd->get<std::string>().empty()) {
    return InvalidArgument("cmd must be a non-empty string");
  }
  config.cmd = cmd->get<std::string>();
  Status args = ReadStringArray(json, "args", &config.args);
  if (!args.ok()) return args;

  if (auto envs = json.find("envs"); envs != json.end() && !envs->is_null()) {
    if (!envs->is_object()) return InvalidArgument("envs must be an object of strings");
    for (auto it = envs->begin(); it != envs->end(); ++it) {
      if (!it.value().is_string()) return InvalidArgument("envs." + it.key() + " must be a string");
      if (it.key().empty() || it.key().find('=') != std::string::npos) {
        return InvalidArgument("envs has an invalid variable name \"" + it.key() + "\"");
      }
      config.envs[it.key()] = it.value().get<std::string>();
    }
  }
  return config;
}

Json ExtensionConfigToJson(const ExtensionConfig& config) {
  Json json = Json::object();
  json["type"] = config.type == ExtensionType::kStdio ? "stdio" : "builtin";
  json["name"] = config.name;
  if (config.type == ExtensionType::kStdio) {
    json["cmd"] = config.cmd;
    json["args"] = config.args;
    json["envs"] = config.envs;
  }
  if (!config.env_keys.empty()) json["env_keys"] = config.env_keys;
  if (!config.description.empty()) json["description"] = config.description;
  if (config.timeout.count() % 1000 == 0) {
    json["timeout"] = config.timeout.count() / 1000;  // goose writes whole seconds
  } else {
    json["timeout"] = static_cast<double>(config.timeout.count()) / 1000.0;
  }
  return json;
}

}  // namespace goose
