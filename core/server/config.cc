#include "core/server/config.h"

#include <arpa/inet.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <type_traits>
#include <vector>

#include "core/base/log.h"
#include "core/base/setting_value.h"
#include "core/base/strings.h"
#include "core/providers/openai_config.h"
#include "core/server/request_guard.h"

namespace goose {
namespace {

// One setting: its key, what it means, its range (empty for free text),
// how --help shows its default, and how a value sets it (null for the keys
// another component reads from ServerConfig::values itself).
struct Setting {
  const char* key;
  const char* meaning;
  std::string range;
  std::function<std::string()> show_default;
  std::function<Status(ServerConfig&, const std::string&)> apply;
};

// `field` picks the setting's field out of a config, e.g.
// [](ServerConfig& c) -> auto& { return c.stack.registry.max_sessions; }.
// A default-constructed config holds every default.
template <typename Field>
auto DefaultOf(Field field) {
  ServerConfig defaults;
  return field(defaults);
}

template <typename Field>
Setting Integer(const char* key, const char* meaning, int64_t lo, int64_t hi, Field field) {
  return {key, meaning, IntegerRange(lo, hi), [field] { return std::to_string(DefaultOf(field)); },
          [key, lo, hi, field](ServerConfig& c, const std::string& value) {
            Result<int64_t> n = ParseIntegerSetting(key, value, lo, hi);
            if (!n.ok()) return n.status();
            field(c) = static_cast<std::remove_reference_t<decltype(field(c))>>(*n);
            return Status::Ok();
          }};
}

std::string FormatNumber(double v) {
  std::ostringstream out;
  out.precision(12);
  out << v;
  return out.str();
}

template <typename Field>
Setting Seconds(const char* key, const char* meaning, double lo, double hi, Field field) {
  using Duration = std::remove_reference_t<decltype(field(std::declval<ServerConfig&>()))>;
  return {key, meaning, SecondsRange(lo, hi),
          [field] { return FormatNumber(std::chrono::duration<double>(DefaultOf(field)).count()); },
          [key, lo, hi, field](ServerConfig& c, const std::string& value) {
            Result<double> secs = ParseSecondsSetting(key, value, lo, hi);
            if (!secs.ok()) return secs.status();
            field(c) = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*secs));
            return Status::Ok();
          }};
}

template <typename Field>
Setting Text(const char* key, const char* meaning, std::string shown_when_empty, Field field) {
  return {key, meaning, "",
          [field, shown_when_empty] {
            std::string d = DefaultOf(field);
            return d.empty() ? shown_when_empty : d;
          },
          [field](ServerConfig& c, const std::string& value) {
            field(c) = value;
            return Status::Ok();
          }};
}

// A key another component reads from ServerConfig::values.
Setting ReadElsewhere(const char* key, const char* meaning, std::string shown,
                      std::string range = "") {
  return {key, meaning, std::move(range), [shown] { return shown; }, nullptr};
}

const std::vector<Setting>& Settings() {
  static const auto* const settings = new std::vector<Setting>{
      Text(
          "GOOSE_API_HOST", "address to listen on", "",
          [](ServerConfig & c) -> auto& { return c.stack.http.host; }),
      Integer(
          "GOOSE_API_PORT", "port to listen on; 0 picks a free one (printed when ready)", 0, 65535,
          [](ServerConfig & c) -> auto& { return c.stack.http.port; }),
      Text(
          "GOOSE_API_KEY", "the x-api-key every session and extension route requires", "(none)",
          [](ServerConfig & c) -> auto& { return c.stack.api_key; }),
      {"GOOSE_API_OPEN", "set to 'loopback' to run without a key on a loopback host", "loopback",
       [] { return std::string("(unset)"); },
       [](ServerConfig& c, const std::string& value) {
         if (value != "loopback") {
           return InvalidArgument("GOOSE_API_OPEN must be \"loopback\" or unset, not \"" + value +
                                  "\"");
         }
         c.allow_open_loopback = true;
         return Status::Ok();
       }},
      {"GOOSE_API_ALLOWED_HOSTS",
       "names clients reach the server by, besides GOOSE_API_HOST, IP addresses and localhost "
       "(comma-separated; * for any): requests for other names are refused (DNS rebinding)",
       "", [] { return std::string("(none)"); },
       [](ServerConfig& c, const std::string& value) {
         c.stack.http.allowed_hosts = SplitCommaList(value);
         return Status::Ok();
       }},
      {"GOOSE_API_EXTENSIONS",
       "which commands /extensions/add may run: any (goose's behaviour), off (403), or a "
       "comma-separated list of commands (names looked up in PATH; builtins run as goose)",
       "any, off or commands", [] { return std::string("any"); },
       [](ServerConfig& c, const std::string& value) {
         Result<ExtensionPolicy> policy = ExtensionPolicy::Parse(value, CommandSearchPath({}));
         if (!policy.ok()) return policy.status();
         c.extension_policy = *std::move(policy);
         return Status::Ok();
       }},
      {"GOOSE_API_EXTENSION_ENV_PASS",
       "variables extensions inherit from the server's environment besides PATH, HOME, USER, "
       "LOGNAME, SHELL, TMPDIR, TZ, LANG, LANGUAGE and LC_* (comma-separated; NAME_* for a "
       "prefix); an extension's own envs are always set",
       "", [] { return std::string("(none)"); },
       [](ServerConfig& c, const std::string& value) {
         c.extension_env_pass = SplitCommaList(value);
         return Status::Ok();
       }},
      ReadElsewhere("GOOSE_API_SESSIONS_DIR", "session files, shared with goose's CLI",
                    "$XDG_DATA_HOME/goose/sessions or ~/.local/share/goose/sessions"),
      {"GOOSE_API_FSYNC",
       "when session files are fsynced (power-loss durability): always (every write, before "
       "its answer), batch (in the background within ~100 ms, many writes at once), never",
       "always, batch or never",
       [] { return std::string(FsyncPolicyName(ServerStackOptions{}.fsync)); },
       [](ServerConfig& c, const std::string& value) {
         Result<FsyncPolicy> policy = ParseFsyncPolicy(value);
         if (!policy.ok()) {
           return InvalidArgument("GOOSE_API_FSYNC must be always, batch or never, not \"" + value +
                                  "\"");
         }
         c.stack.fsync = *policy;
         return Status::Ok();
       }},
      Seconds(
          "GOOSE_API_SHUTDOWN_TIMEOUT_SECS",
          "seconds SIGTERM waits for the requests in flight (every wait on a peer is cancelled "
          "first); past it session files are flushed and the server exits with status 1",
          1, 3600, [](ServerConfig & c) -> auto& { return c.shutdown_timeout; }),
      Seconds(
          "GOOSE_API_SESSION_TIMEOUT_SECS",
          "idle seconds before a live session is reaped (fractions allowed)", 0.01, 2592000,
          [](ServerConfig & c) -> auto& { return c.stack.registry.ttl; }),
      Integer(
          "GOOSE_API_MAX_SESSIONS", "live sessions at most; more answer 503", 1, 1'000'000,
          [](ServerConfig & c) -> auto& { return c.stack.registry.max_sessions; }),
      Integer(
          "GOOSE_API_MAX_BODY_BYTES", "request bodies over this answer 413", 64, 1LL << 30,
          [](ServerConfig & c) -> auto& { return c.stack.http.max_body_bytes; }),
      Integer(
          "GOOSE_API_MAX_ANSWER_BUFFER_BYTES",
          "answer bytes held for clients that have not read them yet, all together; a large "
          "answer (over 64 KiB) past it answers 503",
          1 << 20, 1LL << 40,
          [](ServerConfig & c) -> auto& { return c.stack.http.max_answer_buffer_bytes; }),
      Integer(
          "GOOSE_API_THREADS", "HTTP worker threads (requests served at once)", 1, 1024,
          [](ServerConfig & c) -> auto& { return c.stack.http.limits.threads; }),
      Seconds(
          "GOOSE_API_READ_TIMEOUT_SECS",
          "seconds a client may take to send a whole request (line, headers, body)", 0.1, 3600,
          [](ServerConfig & c) -> auto& { return c.stack.http.limits.request_timeout; }),
      Seconds(
          "GOOSE_API_RESPONSE_TIMEOUT_SECS",
          "seconds a client may take to read a whole response (a write stalled longer than "
          "GOOSE_API_READ_TIMEOUT_SECS ends it sooner)",
          0.1, 3600,
          [](ServerConfig & c) -> auto& { return c.stack.http.limits.response_timeout; }),
      Seconds(
          "GOOSE_API_KEEP_ALIVE_SECS", "seconds an idle client connection is kept open", 0.1, 3600,
          [](ServerConfig & c) -> auto& { return c.stack.http.limits.keep_alive_timeout; }),
      Integer(
          "GOOSE_API_MAX_CONNECTIONS",
          "open client connections at most; at the cap the one waiting longest is closed, "
          "and when all are busy a newcomer answers 503",
          1, 100'000,
          [](ServerConfig & c) -> auto& { return c.stack.http.limits.max_connections; }),
      Integer(
          "GOOSE_API_MAX_HEADER_BYTES", "request line and headers together; more answer 431", 1024,
          1 << 20, [](ServerConfig & c) -> auto& { return c.stack.http.limits.max_header_bytes; }),
      Integer(
          "GOOSE_API_MAX_TURNS", "provider calls per reply at most", 1, 1000,
          [](ServerConfig & c) -> auto& { return c.stack.agent.max_turns; }),
      Integer(
          "GOOSE_API_MAX_MESSAGE_BYTES",
          "one message from the provider, or one tool result, at most; more fails the reply "
          "with 502 (a tool result: a tool error)",
          1024, 1LL << 30,
          [](ServerConfig & c) -> auto& { return c.stack.agent.limits.max_message_bytes; }),
      Integer(
          "GOOSE_API_MAX_REPLY_BYTES",
          "every new message of one reply together at most; more fails the reply with 502", 1024,
          1LL << 30,
          [](ServerConfig & c) -> auto& { return c.stack.agent.limits.max_reply_bytes; }),
      Integer(
          "GOOSE_API_MAX_TOOL_CALLS",
          "tool calls in one provider turn at most; more fails the reply with 502", 1, 10'000,
          [](ServerConfig & c) -> auto& { return c.stack.agent.limits.max_tool_calls; }),
      Integer(
          "GOOSE_API_MAX_MCP_LINE_BYTES",
          "one line an extension writes at most; a longer one fails the calls in flight", 1024,
          1LL << 30, [](ServerConfig & c) -> auto& { return c.mcp_line_bytes; }),
      Integer(
          "GOOSE_API_MAX_JSON_DEPTH",
          "nesting of any JSON read (requests, provider answers, extensions, session files); "
          "deeper is refused",
          8, kMaxJsonDepthLimit, [](ServerConfig & c) -> auto& { return c.json_depth; }),
      Text(
          "GOOSE_API_SYSTEM_PROMPT", "system prompt sent with every reply", "(empty)",
          [](ServerConfig & c) -> auto& { return c.stack.agent.system_prompt; }),
      {"GOOSE_API_LOG_LEVEL", "how much the server logs", "error, warn, info or debug",
       [] { return ServerConfig{}.log_level; },
       [](ServerConfig& c, const std::string& value) {
         LogLevel level;
         if (!ParseLogLevel(value, &level)) {
           return InvalidArgument("GOOSE_API_LOG_LEVEL must be error, warn, info or debug, not \"" +
                                  value + "\"");
         }
         c.log_level = value;
         return Status::Ok();
       }},
      ReadElsewhere("GOOSE_API_PROVIDER", "LLM provider: openai (any OpenAI-compatible endpoint)",
                    "openai"),
      ReadElsewhere("GOOSE_API_MODEL", "model name sent to the provider", OpenAIConfig{}.model),
      ReadElsewhere("OPENAI_HOST", "provider base URL (scheme, host, port)",
                    std::string(kOpenAIDefaultHost)),
      ReadElsewhere("OPENAI_BASE_PATH", "path of the chat-completions endpoint",
                    std::string(kOpenAIDefaultBasePath)),
      ReadElsewhere("OPENAI_API_KEY", "provider key (never logged)", "(none)"),
      ReadElsewhere(
          "GOOSE_API_PROVIDER_TIMEOUT_SECS", "seconds a provider call may take",
          FormatNumber(std::chrono::duration<double>(OpenAIConfig{}.total_timeout).count()),
          SecondsRange(kProviderTimeoutMinSecs, kProviderTimeoutMaxSecs)),
      ReadElsewhere(
          "GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS", "longest silence inside a provider call",
          FormatNumber(std::chrono::duration<double>(OpenAIConfig{}.idle_timeout).count()),
          SecondsRange(kProviderTimeoutMinSecs, kProviderTimeoutMaxSecs)),
      ReadElsewhere("GOOSE_API_GOOSE_CLI",
                    "goose's CLI, which runs builtin extensions as `goose mcp <name>`", "goose"),
      ReadElsewhere("GOOSE_API_FAILPOINTS",
                    "test builds only: faults to switch on (see core/base/failpoint.h)", "(none)"),
  };
  return *settings;
}

// A config-file value: a quoted value loses its quotes (then anything after
// them must be a comment); an unquoted one loses a trailing " # comment".
Result<std::string> ConfigValue(std::string value, const std::string& where) {
  if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
    const size_t close = value.find(value.front(), 1);
    if (close == std::string::npos) return InvalidArgument(where + ": unclosed quote");
    std::string_view after = Trim(std::string_view(value).substr(close + 1));
    if (!after.empty() && after.front() != '#') {
      return InvalidArgument(where + ": text after the closing quote");
    }
    return value.substr(1, close - 1);
  }
  if (size_t hash = value.find(" #"); hash != std::string::npos) {
    value = std::string(Trim(value.substr(0, hash)));
  }
  return value;
}

}  // namespace

const char* ServerConfig::Get(const char* key) const {
  auto it = values.find(key);
  return it == values.end() ? nullptr : it->second.c_str();
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 &&
         (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
}

Result<std::map<std::string, std::string>> ParseConfigFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read config file " + path.string());
  std::map<std::string, std::string> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = path.string() + " line " + std::to_string(line_no);
    std::string t(Trim(line));
    if (t.empty() || t[0] == '#') continue;
    const size_t colon = t.find(':');
    if (colon == std::string::npos) return InvalidArgument(where + ": expected KEY: value");
    std::string key(Trim(t.substr(0, colon)));
    if (key.empty()) return InvalidArgument(where + ": empty key");
    Result<std::string> value = ConfigValue(std::string(Trim(t.substr(colon + 1))), where);
    if (!value.ok()) return value.status();
    if (value->empty()) continue;  // a nested YAML block of goose's config: not ours
    out[key] = *std::move(value);
  }
  return out;
}

Result<ServerConfig> LoadServerConfig(const EnvLookup& env, const std::string& config_file) {
  ServerConfig c;
  std::string file = config_file;
  if (file.empty()) {
    if (const char* f = env("GOOSE_API_CONFIG"); f != nullptr) file = f;
  }
  if (!file.empty()) {
    Result<std::map<std::string, std::string>> values = ParseConfigFile(file);
    if (!values.ok()) return values.status();
    c.values = std::move(values).value();
  }
  for (const Setting& s : Settings()) {
    if (const char* v = env(s.key); v != nullptr) c.values[s.key] = v;
  }
  for (const char* extra : {"XDG_DATA_HOME", "HOME"}) {
    if (const char* v = env(extra); v != nullptr) c.values[extra] = v;
  }
  for (const Setting& s : Settings()) {
    const char* v = c.Get(s.key);
    if (v == nullptr || s.apply == nullptr) continue;
    if (Status applied = s.apply(c, v); !applied.ok()) return applied;
  }

  Result<std::filesystem::path> dir = ResolveSessionsDir([&](const char* k) { return c.Get(k); });
  if (!dir.ok()) return dir.status();
  c.stack.sessions_dir = *dir;

  if (c.stack.api_key.empty()) {
    if (!c.allow_open_loopback) {
      return InvalidArgument(
          "no API key: set GOOSE_API_KEY (clients send it as x-api-key), or set "
          "GOOSE_API_OPEN=loopback to run without one on a loopback address");
    }
    if (!IsLoopbackHost(c.stack.http.host)) {
      return InvalidArgument("GOOSE_API_OPEN=loopback refuses to serve without a key on " +
                             c.stack.http.host + "; set GOOSE_API_KEY or listen on 127.0.0.1");
    }
  }
  return c;
}

std::string ConfigHelp() {
  std::string out;
  for (const Setting& s : Settings()) {
    out += "  ";
    out += s.key;
    out += "\n      ";
    out += s.meaning;
    out += " (default: " + s.show_default();
    if (!s.range.empty()) out += "; " + s.range;
    out += ")\n";
  }
  return out;
}

}  // namespace goose
