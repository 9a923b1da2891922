// leaky-server: a deliberately leaking goose-api look-alike, so leakcheck
// can prove it finds a leak in a server it did not build, from outside.
//
// It serves the goose-api routes the attachable scenarios use (POST
// /session/start, /session/reply, /session/end; GET /sessions/list,
// /status) with canned answers, and keeps --leak-bytes (default 64 KiB,
// touched so it is resident) of every reply forever, reachable, like a
// server that stores every reply stream and never frees it. Optionally it
// also keeps an open fd (--leak-fd-every N) or a running thread
// (--leak-thread-every N) per N requests, and it can die mid-run
// (--exit-after N). It has no GET /metrics ledger
// and never calls a provider: only /proc can see what it holds.
//
// Configuration comes from the environment leakcheck gives a --target
// (GOOSE_API_HOST, GOOSE_API_PORT, GOOSE_API_KEY), or from the flags.
// Prints "leaky-server listening on http://HOST:PORT" when ready; exits 0
// on SIGINT/SIGTERM (joining its leaked threads), 1 when it cannot
// listen, 2 on bad arguments.

#include <fcntl.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/json.h"
#include "core/base/unique_fd.h"

namespace {

constexpr char kUsage[] =
    "usage: leaky-server [--host HOST] [--port PORT] [--key KEY] [--leak-bytes N]\n"
    "                    [--leak-fd-every N] [--leak-thread-every N] [--max-leak-mb N]\n"
    "                    [--exit-after N]\n"
    "\n"
    "A goose-api look-alike that leaks on purpose (a test target for leakcheck).\n"
    "  --host HOST            default $GOOSE_API_HOST or 127.0.0.1\n"
    "  --port PORT            default $GOOSE_API_PORT or 0 (a free port)\n"
    "  --key KEY              x-api-key to require; default $GOOSE_API_KEY (none: open)\n"
    "  --leak-bytes N         bytes kept per reply (default 65536; 0: no heap leak)\n"
    "  --leak-fd-every N      keep an open fd every N requests (default 0: never)\n"
    "  --leak-thread-every N  keep a running thread every N requests (default 0: never)\n"
    "  --max-leak-mb N        stop leaking bytes after N MiB (default 1024)\n"
    "  --exit-after N         die (exit 3, as a crash would) at the Nth request (default 0: "
    "never)\n";

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string key;
  size_t leak_bytes = 64 * 1024;
  int leak_fd_every = 0;
  int leak_thread_every = 0;
  size_t max_leak_bytes = size_t{1024} * 1024 * 1024;
  int64_t exit_after = 0;
};

bool ParseNumber(const std::string& text, long long max, long long* out) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || v < 0 || v > max) {
    return false;
  }
  *out = v;
  return true;
}

// What the server keeps and never gives back (until exit).
class Hoard {
 public:
  void Request(const Config& config) {
    const int64_t n = requests_.fetch_add(1) + 1;
    if (config.exit_after > 0 && n >= config.exit_after) {
      std::fprintf(stderr, "leaky-server: --exit-after %lld: dying at request %lld\n",
                   static_cast<long long>(config.exit_after), static_cast<long long>(n));
      std::_Exit(3);  // like a crash: no cleanup
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (config.leak_fd_every > 0 && n % config.leak_fd_every == 0) {
      fds_.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    if (config.leak_thread_every > 0 && n % config.leak_thread_every == 0) {
      threads_.emplace_back([](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, stop, [] { return false; });
      });
    }
  }

  void Reply(const Config& config) {
    std::lock_guard<std::mutex> lock(mu_);
    if (config.leak_bytes == 0 || kept_bytes_ + config.leak_bytes > config.max_leak_bytes) return;
    auto block = std::make_unique<char[]>(config.leak_bytes);
    std::memset(block.get(), 'l', config.leak_bytes);  // resident, not just reserved
    blocks_.push_back(std::move(block));
    kept_bytes_ += config.leak_bytes;
  }

 private:
  std::atomic<int64_t> requests_{0};
  std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t kept_bytes_ = 0;
  std::vector<goose::UniqueFd> fds_;
  std::vector<std::jthread> threads_;  // stopped and joined at exit
};

std::string NewSessionId() {
  static std::atomic<uint64_t> next{1};
  char id[64];
  std::snprintf(id, sizeof id, "leaky-%d-%llu", static_cast<int>(::getpid()),
                static_cast<unsigned long long>(next.fetch_add(1)));
  return id;
}

void Answer(httplib::Response& res, int status, const goose::Json& body) {
  res.status = status;
  res.set_content(goose::JsonDump(body), "application/json");
}

void Error(httplib::Response& res, int status, const std::string& message) {
  Answer(res, status, {{"message", message}, {"status", "error"}});
}

// Reads the environment, then the options, into `config`. An exit status
// when the program should exit now (--help: 0; a bad option: 2, said on
// stderr), nullopt to go on.
std::optional<int> ParseConfig(int argc, char** argv, Config& config) {
  if (const char* v = std::getenv("GOOSE_API_HOST"); v != nullptr && *v != '\0') config.host = v;
  if (const char* v = std::getenv("GOOSE_API_KEY"); v != nullptr) config.key = v;
  long long number = 0;
  if (const char* v = std::getenv("GOOSE_API_PORT"); v != nullptr && *v != '\0') {
    if (!ParseNumber(v, 65535, &number)) {
      std::cerr << "leaky-server: GOOSE_API_PORT must be 0-65535, not \"" << v << "\"\n";
      return 2;
    }
    config.port = static_cast<int>(number);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "leaky-server: " << arg << " needs a value (or is unknown)\n" << kUsage;
      return 2;
    }
    const std::string value = argv[++i];
    auto number_or_fail = [&](long long max) {
      if (ParseNumber(value, max, &number)) return true;
      std::cerr << "leaky-server: " << arg << " must be an integer 0-" << max << ", not \"" << value
                << "\"\n";
      return false;
    };
    if (arg == "--host") {
      config.host = value;
    } else if (arg == "--key") {
      config.key = value;
    } else if (arg == "--port") {
      if (!number_or_fail(65535)) return 2;
      config.port = static_cast<int>(number);
    } else if (arg == "--leak-bytes") {
      if (!number_or_fail(1 << 30)) return 2;
      config.leak_bytes = static_cast<size_t>(number);
    } else if (arg == "--leak-fd-every") {
      if (!number_or_fail(1 << 20)) return 2;
      config.leak_fd_every = static_cast<int>(number);
    } else if (arg == "--leak-thread-every") {
      if (!number_or_fail(1 << 20)) return 2;
      config.leak_thread_every = static_cast<int>(number);
    } else if (arg == "--exit-after") {
      if (!number_or_fail(1LL << 40)) return 2;
      config.exit_after = number;
    } else if (arg == "--max-leak-mb") {
      if (!number_or_fail(1 << 20)) return 2;
      config.max_leak_bytes = static_cast<size_t>(number) * 1024 * 1024;
    } else {
      std::cerr << "leaky-server: unknown option " << arg << "\n" << kUsage;
      return 2;
    }
  }

  return std::nullopt;
}

// The sessions the server knows: id -> replies; ended ones are removed.
struct Sessions {
  std::mutex mu;
  std::map<std::string, int> replies;
};

// The body of `req` as a JSON object, or a 400 answered.
std::optional<goose::Json> BodyOf(const httplib::Request& req, httplib::Response& res) {
  goose::Json body = goose::Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    Error(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

// The key check, /status and /sessions/list.
void AddReadRoutes(httplib::Server& server, const Config& config, Hoard& hoard,
                   Sessions& sessions) {
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    hoard.Request(config);
    if (req.path != "/status" && !config.key.empty() &&
        req.get_header_value("x-api-key") != config.key) {
      Error(res, 401, "Unauthorized: wrong or missing x-api-key");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.Get("/status", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server.Get("/sessions/list", [&](const httplib::Request&, httplib::Response& res) {
    goose::Json list = goose::Json::array();
    std::lock_guard<std::mutex> lock(sessions.mu);
    for (const auto& [id, replies] : sessions.replies) {
      list.push_back({{"session_id", id}, {"description", ""}, {"message_count", 2 * replies}});
    }
    Answer(res, 200, {{"sessions", list}});
  });
}

// /session/start, /session/reply and /session/end; every reply hoards.
void AddSessionRoutes(httplib::Server& server, const Config& config, Hoard& hoard,
                      Sessions& sessions) {
  server.Post("/session/start", [&](const httplib::Request& req, httplib::Response& res) {
    if (!BodyOf(req, res)) return;
    const std::string id = NewSessionId();
    {
      std::lock_guard<std::mutex> lock(sessions.mu);
      sessions.replies[id] = 1;
    }
    hoard.Reply(config);
    Answer(res, 200, {{"message", "A canned answer."}, {"status", "success"}, {"session_id", id}});
  });
  server.Post("/session/reply", [&](const httplib::Request& req, httplib::Response& res) {
    std::optional<goose::Json> body = BodyOf(req, res);
    if (!body) return;
    const std::string id = body->value("session_id", "");
    {
      std::lock_guard<std::mutex> lock(sessions.mu);
      auto it = sessions.replies.find(id);
      if (it == sessions.replies.end()) return Error(res, 404, "no session " + id);
      ++it->second;
    }
    hoard.Reply(config);
    Answer(res, 200, {{"message", "Another canned answer."}, {"status", "success"}});
  });
  server.Post("/session/end", [&](const httplib::Request& req, httplib::Response& res) {
    std::optional<goose::Json> body = BodyOf(req, res);
    if (!body) return;
    const std::string id = body->value("session_id", "");
    std::lock_guard<std::mutex> lock(sessions.mu);
    if (sessions.replies.erase(id) == 0) return Error(res, 404, "no session " + id);
    Answer(res, 200, {{"message", "Session ended"}, {"status", "success"}});
  });
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  if (std::optional<int> exit = ParseConfig(argc, argv, config)) return *exit;

  // Every thread inherits this mask; only sigwait below takes the signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Hoard hoard;
  Sessions sessions;
  httplib::Server server;
  server.set_tcp_nodelay(true);
  AddReadRoutes(server, config, hoard, sessions);
  AddSessionRoutes(server, config, hoard, sessions);

  const int port = config.port == 0
                       ? server.bind_to_any_port(config.host)
                       : (server.bind_to_port(config.host, config.port) ? config.port : -1);
  if (port < 0) {
    std::cerr << "leaky-server: cannot listen on " << config.host << ":" << config.port << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  std::jthread serving([&] { server.listen_after_bind(); });
  std::cout << "leaky-server listening on http://" << config.host << ":" << port << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.stop();
  return 0;
}
