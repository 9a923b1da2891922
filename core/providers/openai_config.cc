#include "core/providers/openai_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/base/failpoint.h"
#include "core/base/setting_value.h"
#include "core/base/strings.h"

namespace goose {
namespace {

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool IsIpv6LiteralChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

bool HasControlOrSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

Status BadUrl(std::string_view variable, std::string_view url, const std::string& why) {
  return InvalidArgument(std::string(variable) + "=\"" + std::string(url) +
                         "\" is not a usable base URL: " + why +
                         " (expected e.g. https://api.openai.com or http://127.0.0.1:8080)");
}

// The variable's value in milliseconds, or `fallback` when it is unset.
Result<std::chrono::milliseconds> TimeoutSetting(const EnvLookup& env, const char* variable,
                                                 std::chrono::milliseconds fallback) {
  const char* text = env(variable);
  if (text == nullptr || Trim(text).empty()) return fallback;
  Result<double> seconds =
      ParseSecondsSetting(variable, text, kProviderTimeoutMinSecs, kProviderTimeoutMaxSecs);
  if (!seconds.ok()) return seconds.status();
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(*seconds * 1000)));
}

std::string Value(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

std::string OpenAIConfig::Origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string OpenAIConfig::Url() const { return Origin() + base_path; }

std::chrono::milliseconds OpenAIConfig::IdleTimeout() const {
  return RaisedLimit(Failpoint::kRaiseProviderIdleTimeout, idle_timeout);
}

std::string OpenAIConfig::Describe() const {
  auto secs = [](std::chrono::milliseconds ms) {
    std::string s = std::to_string(static_cast<double>(ms.count()) / 1000.0);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s + "s";
  };
  return "openai " + Url() + " model=" + model + (api_key.empty() ? " (no key)" : " (key set)") +
         " connect=" + secs(connect_timeout) + " idle=" + secs(idle_timeout) +
         " total=" + secs(total_timeout) + " retries=" + std::to_string(max_retries);
}

Status ParseBaseUrl(std::string_view url, std::string_view variable, OpenAIConfig* config,
                    std::string* host_path) {
  const std::string_view original = url;
  url = Trim(url);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return BadUrl(variable, original, "no scheme");
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return BadUrl(variable, original, "the scheme must be http or https, not \"" + scheme + "\"");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(variable, original, "a query or fragment is not allowed");
  }
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(variable, original, "user info is not allowed (put the key in OPENAI_API_KEY)");
  }

  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(variable, original, "unclosed '['");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl(variable, original, "junk after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return BadUrl(variable, original, "empty port");
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsIpv6LiteralChar)) {
      return BadUrl(variable, original, "bad IPv6 address");
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl(variable, original, "empty port");
    }
    if (host.empty()) return BadUrl(variable, original, "no host");
    if (!std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return BadUrl(variable, original, "the host has characters a host name cannot have");
    }
  }

  int port = scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return BadUrl(
          variable, original,
          "the port must be a number from 1 to 65535, not \"" + std::string(port_text) + "\"");
    }
  }
  if (HasControlOrSpace(path)) return BadUrl(variable, original, "the path has spaces");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  config->scheme = scheme;
  config->host = std::string(host);
  config->port = port;
  *host_path = std::string(path);
  return Status::Ok();
}

Result<OpenAIConfig> OpenAIConfigFromEnv(const EnvLookup& env) {
  OpenAIConfig config;
  if (const std::string provider = Value(env, "GOOSE_API_PROVIDER");
      !provider.empty() && Lower(provider) != "openai") {
    return InvalidArgument("GOOSE_API_PROVIDER=\"" + provider +
                           "\" does not name the OpenAI provider (expected \"openai\")");
  }
  if (std::string model = Value(env, "GOOSE_API_MODEL"); !Trim(model).empty()) {
    config.model = std::string(Trim(model));
  }

  std::string host = Value(env, "OPENAI_HOST");
  if (Trim(host).empty()) host = std::string(kOpenAIDefaultHost);
  std::string host_path;
  if (Status s = ParseBaseUrl(host, "OPENAI_HOST", &config, &host_path); !s.ok()) return s;

  std::string base_path = std::string(Trim(Value(env, "OPENAI_BASE_PATH")));
  if (base_path.empty()) base_path = std::string(kOpenAIDefaultBasePath);
  if (HasControlOrSpace(base_path) || base_path.find('#') != std::string::npos) {
    return InvalidArgument("OPENAI_BASE_PATH=\"" + base_path +
                           "\" must be a URL path without spaces or a fragment");
  }
  config.base_path = base_path.front() == '/' ? base_path : host_path + "/" + base_path;

  config.api_key = std::string(Trim(Value(env, "OPENAI_API_KEY")));

  auto total = TimeoutSetting(env, "GOOSE_API_PROVIDER_TIMEOUT_SECS", config.total_timeout);
  if (!total.ok()) return total.status();
  auto idle = TimeoutSetting(env, "GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS", config.idle_timeout);
  if (!idle.ok()) return idle.status();
  config.total_timeout = *total;
  config.idle_timeout = std::min(*idle, *total);
  config.connect_timeout = std::min(config.connect_timeout, *total);
  return config;
}

}  // namespace goose
