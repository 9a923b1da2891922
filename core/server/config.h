// ServerConfig: every setting of goose-api, from the environment and an
// optional config file (the environment wins).
//
// The config file holds flat `KEY: value` lines, the scalar subset of
// goose's config.yaml (`#` starts a comment; quotes around a value are
// removed); keys are the environment variable names. Its path is
// --config FILE, else GOOSE_API_CONFIG.
//
// Each setting is one row of a table in config.cc: its key, what it means,
// its range, and the field it sets. Its default is that field's own
// initialiser in the library that uses it (ServerStackOptions and what it
// holds, OpenAIConfig), so a default is written once; ConfigHelp() prints
// the table (`goose-api --help`). A value outside its range is refused
// with a message naming the key, the range and the value.

#ifndef GOOSE_CORE_SERVER_CONFIG_H_
#define GOOSE_CORE_SERVER_CONFIG_H_

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/base/env.h"
#include "core/base/json.h"
#include "core/base/status.h"
#include "core/extensions/extension_policy.h"
#include "core/extensions/stdio_extension.h"
#include "core/server/server_stack.h"

namespace goose {

// The port goose-api listens on unless told (goose-api's own default).
inline constexpr int kDefaultPort = 8080;

struct ServerConfig {
  ServerConfig() {
    stack.http.port = kDefaultPort;
    stack.provider_name = "openai";
  }

  // Everything the server stack takes: sessions directory, fsync policy,
  // registry (TTL, capacity), agent (turns, system prompt), HTTP (address,
  // limits, threads), the key.
  ServerStackOptions stack;
  // GOOSE_API_OPEN=loopback: no key, on a loopback address only.
  bool allow_open_loopback = false;
  std::string log_level = "info";
  // GOOSE_API_SHUTDOWN_TIMEOUT_SECS: the bound on a SIGTERM shutdown.
  std::chrono::steady_clock::duration shutdown_timeout = std::chrono::seconds(10);
  // GOOSE_API_EXTENSIONS: which commands extensions may run.
  ExtensionPolicy extension_policy;
  // GOOSE_API_EXTENSION_ENV_PASS: more variables extensions inherit.
  std::vector<std::string> extension_env_pass;
  // GOOSE_API_MAX_MCP_LINE_BYTES: an extension's stdout line at most.
  size_t mcp_line_bytes = StdioExtensionOptions{}.max_line_bytes;
  // GOOSE_API_MAX_JSON_DEPTH, applied process-wide (SetJsonDepthLimit).
  int json_depth = kDefaultJsonDepthLimit;
  // Everything read (environment over file), so a component can read its
  // own keys (the provider reads OPENAI_* and GOOSE_API_PROVIDER...).
  std::map<std::string, std::string> values;

  // Looks a key up in `values`; nullptr when unset. Usable as EnvLookup.
  const char* Get(const char* key) const;
};

// Reads the file (if any) and the environment. Errors name the key, its
// range and the value. Refuses a missing key unless GOOSE_API_OPEN=loopback
// and the host is a loopback address.
Result<ServerConfig> LoadServerConfig(const EnvLookup& env, const std::string& config_file);

// Parses `KEY: value` lines; errors name the file and line.
Result<std::map<std::string, std::string>> ParseConfigFile(const std::filesystem::path& path);

// Every setting with its meaning, default and range, for --help.
std::string ConfigHelp();

// "localhost", "::1", or a dotted IPv4 address in 127.0.0.0/8.
bool IsLoopbackHost(const std::string& host);

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_CONFIG_H_
