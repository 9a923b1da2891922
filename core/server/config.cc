#include "core/server/config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/base/strings.h"

namespace goose {
namespace {

// Every key the server reads, with its default and meaning.
struct KeyDoc {
  const char* key;
  const char* fallback;
  const char* meaning;
};
constexpr KeyDoc kKeys[] = {
    {"GOOSE_API_HOST", "127.0.0.1", "address to listen on"},
    {"GOOSE_API_PORT", "8080", "port to listen on; 0 picks a free one (printed when ready)"},
    {"GOOSE_API_KEY", "(none)", "the x-api-key every session and extension route requires"},
    {"GOOSE_API_OPEN", "(unset)", "set to 'loopback' to run without a key on a loopback host"},
    {"GOOSE_API_SESSIONS_DIR", "$XDG_DATA_HOME/goose/sessions or ~/.local/share/goose/sessions",
     "session files, shared with goose's CLI"},
    {"GOOSE_API_FSYNC", "batch",
     "when session files are fsynced (power-loss durability; every write is renamed into place "
     "before its reply is answered): always (every write), batch (in the background within "
     "~100 ms, many writes at once), never"},
    {"GOOSE_API_SESSION_TIMEOUT_SECS", "3600",
     "idle seconds before a live session is reaped (fractions allowed)"},
    {"GOOSE_API_MAX_SESSIONS", "1000", "live sessions at most; more answer 503"},
    {"GOOSE_API_MAX_BODY_BYTES", "1048576", "request bodies over this answer 413"},
    {"GOOSE_API_THREADS", "16", "HTTP worker threads (concurrent requests)"},
    {"GOOSE_API_READ_TIMEOUT_SECS", "10", "seconds a client may take to send its request"},
    {"GOOSE_API_MAX_TURNS", "25", "provider calls per reply at most"},
    {"GOOSE_API_SYSTEM_PROMPT", "(empty)", "system prompt sent with every reply"},
    {"GOOSE_API_LOG_LEVEL", "info", "error, warn, info or debug"},
    {"GOOSE_API_PROVIDER", "openai", "LLM provider: openai (any OpenAI-compatible endpoint)"},
    {"GOOSE_API_MODEL", "gpt-4o", "model name sent to the provider"},
    {"OPENAI_HOST", "https://api.openai.com", "provider base URL (scheme, host, port)"},
    {"OPENAI_BASE_PATH", "v1/chat/completions", "path of the chat-completions endpoint"},
    {"OPENAI_API_KEY", "(none)", "provider key (never logged)"},
    {"GOOSE_API_PROVIDER_TIMEOUT_SECS", "600", "seconds a provider call may take"},
    {"GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS", "300", "longest silence inside a provider call"},
    {"GOOSE_API_GOOSE_CLI", "goose",
     "goose's CLI, which runs builtin extensions as `goose mcp <name>`"},
    {"GOOSE_API_FAILPOINTS", "(none)",
     "test builds only: faults to switch on (see core/base/failpoint.h)"},
};

Status BadValue(const std::string& key, const std::string& value, const std::string& want) {
  return InvalidArgument(key + " must be " + want + ", not \"" + value + "\"");
}

bool ParseInt(const std::string& text, long long lo, long long hi, long long* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

const char* ServerConfig::Get(const char* key) const {
  auto it = values.find(key);
  return it == values.end() ? nullptr : it->second.c_str();
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<std::map<std::string, std::string>> ParseConfigFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read config file " + path.string());
  std::map<std::string, std::string> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string t(Trim(line));
    if (t.empty() || t[0] == '#') continue;
    const size_t colon = t.find(':');
    if (colon == std::string::npos) {
      return InvalidArgument(path.string() + " line " + std::to_string(line_no) +
                             ": expected KEY: value");
    }
    std::string key(Trim(t.substr(0, colon)));
    std::string value(Trim(t.substr(colon + 1)));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (size_t hash = value.find(" #"); hash != std::string::npos) {
      value = std::string(Trim(value.substr(0, hash)));
    }
    if (key.empty()) {
      return InvalidArgument(path.string() + " line " + std::to_string(line_no) + ": empty key");
    }
    if (value.empty()) continue;  // a nested YAML block of goose's config: not ours
    out[key] = value;
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
  for (const KeyDoc& k : kKeys) {
    if (const char* v = env(k.key); v != nullptr) c.values[k.key] = v;
  }
  for (const char* extra : {"XDG_DATA_HOME", "HOME"}) {
    if (const char* v = env(extra); v != nullptr) c.values[extra] = v;
  }
  auto get = [&](const char* key) -> std::optional<std::string> {
    const char* v = c.Get(key);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  long long n = 0;
  if (auto v = get("GOOSE_API_HOST")) c.host = *v;
  if (auto v = get("GOOSE_API_PORT")) {
    if (!ParseInt(*v, 0, 65535, &n)) return BadValue("GOOSE_API_PORT", *v, "an integer 0-65535");
    c.port = static_cast<int>(n);
  }
  if (auto v = get("GOOSE_API_KEY")) c.api_key = *v;
  if (auto v = get("GOOSE_API_OPEN")) {
    if (*v != "loopback") return BadValue("GOOSE_API_OPEN", *v, "\"loopback\" or unset");
    c.allow_open_loopback = true;
  }
  if (auto v = get("GOOSE_API_SESSION_TIMEOUT_SECS")) {
    char* end = nullptr;
    double secs = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || !std::isfinite(secs) || secs <= 0) {
      return BadValue("GOOSE_API_SESSION_TIMEOUT_SECS", *v, "a positive number of seconds");
    }
    c.session_ttl = std::chrono::duration<double>(secs);
  }
  if (auto v = get("GOOSE_API_FSYNC")) {
    Result<FsyncPolicy> policy = ParseFsyncPolicy(*v);
    if (!policy.ok()) return BadValue("GOOSE_API_FSYNC", *v, "always, batch or never");
    c.fsync = *policy;
  }
  if (auto v = get("GOOSE_API_MAX_SESSIONS")) {
    if (!ParseInt(*v, 1, 10'000'000, &n))
      return BadValue("GOOSE_API_MAX_SESSIONS", *v, "a positive integer");
    c.max_sessions = static_cast<size_t>(n);
  }
  if (auto v = get("GOOSE_API_MAX_BODY_BYTES")) {
    if (!ParseInt(*v, 64, 1LL << 30, &n))
      return BadValue("GOOSE_API_MAX_BODY_BYTES", *v, "an integer 64-1073741824");
    c.max_body_bytes = static_cast<size_t>(n);
  }
  if (auto v = get("GOOSE_API_THREADS")) {
    if (!ParseInt(*v, 1, 1024, &n)) return BadValue("GOOSE_API_THREADS", *v, "an integer 1-1024");
    c.threads = static_cast<int>(n);
  }
  if (auto v = get("GOOSE_API_READ_TIMEOUT_SECS")) {
    if (!ParseInt(*v, 1, 3600, &n))
      return BadValue("GOOSE_API_READ_TIMEOUT_SECS", *v, "an integer 1-3600");
    c.read_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("GOOSE_API_MAX_TURNS")) {
    if (!ParseInt(*v, 1, 1000, &n)) return BadValue("GOOSE_API_MAX_TURNS", *v, "an integer 1-1000");
    c.max_turns = static_cast<int>(n);
  }
  if (auto v = get("GOOSE_API_SYSTEM_PROMPT")) c.system_prompt = *v;
  if (auto v = get("GOOSE_API_LOG_LEVEL")) c.log_level = *v;

  Result<std::filesystem::path> dir = ResolveSessionsDir([&](const char* k) { return c.Get(k); });
  if (!dir.ok()) return dir.status();
  c.sessions_dir = *dir;

  if (c.api_key.empty()) {
    if (!c.allow_open_loopback) {
      return InvalidArgument(
          "no API key: set GOOSE_API_KEY (clients send it as x-api-key), or set "
          "GOOSE_API_OPEN=loopback to run without one on a loopback address");
    }
    if (!IsLoopbackHost(c.host)) {
      return InvalidArgument("GOOSE_API_OPEN=loopback refuses to serve without a key on " + c.host +
                             "; set GOOSE_API_KEY or listen on 127.0.0.1");
    }
  }
  return c;
}

std::string ConfigHelp() {
  std::string out;
  for (const KeyDoc& k : kKeys) {
    out += "  ";
    out += k.key;
    out += "\n      ";
    out += k.meaning;
    out += " (default: ";
    out += k.fallback;
    out += ")\n";
  }
  return out;
}

}  // namespace goose
