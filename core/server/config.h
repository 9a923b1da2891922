// ServerConfig: every setting of goose-api, from the environment and an
// optional config file (the environment wins).
//
// The config file holds flat `KEY: value` lines, the scalar subset of
// goose's config.yaml (`#` starts a comment; quotes around a value are
// removed); keys are the environment variable names below. Its path is
// --config FILE, else GOOSE_API_CONFIG.
//
// ConfigHelp() lists every key with its default; `goose-api --help` shows it.

#ifndef GOOSE_CORE_SERVER_CONFIG_H_
#define GOOSE_CORE_SERVER_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>

#include "core/base/env.h"
#include "core/base/status.h"
#include "core/model/deferred_sync.h"

namespace goose {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0 picks a free port (printed when ready)
  std::string api_key;  // required unless allow_open_loopback
  bool allow_open_loopback = false;
  std::filesystem::path sessions_dir;
  FsyncPolicy fsync = FsyncPolicy::kBatch;  // when session files are fsynced (GOOSE_API_FSYNC)
  std::chrono::duration<double> session_ttl{3600.0};
  size_t max_sessions = 1000;
  size_t max_body_bytes = 1 << 20;
  int threads = 16;                       // HTTP worker threads
  std::chrono::seconds read_timeout{10};  // per read from a client
  int max_turns = 25;
  std::string system_prompt;
  std::string log_level = "info";
  // Everything read (environment over file), so a component can read its
  // own keys (the provider reads OPENAI_* and GOOSE_API_PROVIDER...).
  std::map<std::string, std::string> values;

  // Looks a key up in `values`; nullptr when unset. Usable as EnvLookup.
  const char* Get(const char* key) const;
};

// Reads the file (if any) and the environment. Errors name the key and the
// value, e.g. "GOOSE_API_PORT must be an integer 0-65535, not \"http\"".
// Refuses a missing key unless GOOSE_API_OPEN=loopback and the host is a
// loopback address.
Result<ServerConfig> LoadServerConfig(const EnvLookup& env, const std::string& config_file);

// Parses `KEY: value` lines; errors name the file and line.
Result<std::map<std::string, std::string>> ParseConfigFile(const std::filesystem::path& path);

std::string ConfigHelp();

bool IsLoopbackHost(const std::string& host);

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_CONFIG_H_
