#include "mock_provider/mcp/mock_mcp.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/json.h"
#include "core/base/unique_fd.h"
#include "core/extensions/line_splitter.h"

extern char** environ;  // NOLINT: POSIX

namespace goose::mock {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSupportedVersions[] = {"2024-11-05", "2025-03-26", "2025-06-18"};
constexpr const char* kDefaultVersion = "2025-06-18";
// A request line longer than this is refused (the mock must stay small).
constexpr size_t kMaxRequestLine = 64 * 1024 * 1024;

struct PendingSleep {
  Clock::time_point due;
  Json id;
  int64_t ms = 0;
};

Json ToolSpec(const std::string& name, const std::string& description, Json properties,
              std::vector<std::string> required = {}) {
  Json schema = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = required;
  return {{"name", name}, {"description", description}, {"inputSchema", std::move(schema)}};
}

Json TextResult(const std::string& text) {
  return {{"content", Json::array({{{"type", "text"}, {"text", text}}})}};
}

Json ErrorResult(const std::string& text) {
  Json r = TextResult(text);
  r["isError"] = true;
  return r;
}

class Server {
 public:
  explicit Server(const MockMcpOptions& options) : options_(options) {}

  int Run() {
    if (options_.stderr_bytes > 0) WriteStderrFlood();
    LineSplitter splitter(kMaxRequestLine);
    std::vector<char> buf(64 * 1024);
    bool reading = true;
    for (;;) {
      ReapChildren();
      FireDueSleeps();
      if (stop_serving_) {
        ::pause();
        continue;
      }
      if (!reading && !options_.linger && sleeps_.empty()) return 0;
      int timeout_ms = 1000;  // also paces ReapChildren()
      if (!sleeps_.empty()) {
        auto next = std::min_element(sleeps_.begin(), sleeps_.end(),
                                     [](const auto& a, const auto& b) { return a.due < b.due; });
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(next->due - Clock::now()).count();
        timeout_ms = static_cast<int>(std::clamp<int64_t>(left + 1, 0, 1000));
      }
      pollfd fd = {STDIN_FILENO, POLLIN, 0};
      int ready = ::poll(&fd, reading ? 1 : 0, timeout_ms);
      if (ready < 0 && errno != EINTR) return 1;
      if (ready <= 0 || fd.revents == 0) continue;
      ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        reading = false;  // EOF: finish the sleeps, then exit (or linger)
        continue;
      }
      if (std::exchange(first_read_, false) && options_.flood_on_first_read > 0) {
        std::string line(1023, '#');
        line += '\n';
        for (size_t done = 0; done < options_.flood_on_first_read; done += line.size())
          WriteAll(STDOUT_FILENO, line);
      }
      splitter.Feed(std::string_view(buf.data(), static_cast<size_t>(n)),
                    [this](std::string_view line, size_t dropped) {
                      if (dropped == 0 && !stop_serving_) HandleLine(line);
                    });
    }
  }

 private:
  void HandleLine(std::string_view line) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    Result<Json> parsed = JsonParse(line, "request");
    if (!parsed.ok() || !parsed->is_object()) {
      Send({{"jsonrpc", "2.0"},
            {"id", nullptr},
            {"error", {{"code", -32700}, {"message", "Parse error"}}}});
      return;
    }
    const Json& msg = *parsed;
    auto method = msg.find("method");
    auto id = msg.find("id");
    if (method == msg.end()) {
      // A response to one of our requests (chatty mode).
      if (msg.contains("error")) {
        ++client_errors_;
      } else if (msg.contains("result")) {
        ++client_replies_;
      }
      return;
    }
    if (!method->is_string()) return;
    if (id == msg.end() || id->is_null()) return;  // a notification: nothing to say
    const std::string name = method->get<std::string>();
    const Json params = msg.value("params", Json::object());
    if (name == "initialize") {
      Initialize(*id, params);
    } else if (name == "ping") {
      Answer(*id, Json::object());
    } else if (name == "tools/list") {
      ListTools(*id, params);
    } else if (name == "tools/call") {
      CallTool(*id, params);
    } else {
      AnswerError(*id, -32601, "Method not found: " + name);
    }
  }

  void Initialize(const Json& id, const Json& params) {
    if (options_.exit_on_initialize >= 0) {
      const char text[] = "mock-mcp: fatal: told to exit on initialize (--exit-on-initialize)\n";
      (void)!::write(STDERR_FILENO, text, sizeof text - 1);
      ::_exit(options_.exit_on_initialize);
    }
    if (options_.ignore_initialize) return;
    std::string version = kDefaultVersion;
    if (auto v = params.find("protocolVersion"); v != params.end() && v->is_string()) {
      for (const char* s : kSupportedVersions) {
        if (*v == s) version = s;
      }
    }
    if (!options_.protocol_version.empty()) version = options_.protocol_version;
    Answer(id, {{"protocolVersion", version},
                {"capabilities", {{"tools", {{"listChanged", true}}}}},
                {"serverInfo", {{"name", "mock-mcp"}, {"version", "1.0.0"}}},
                {"instructions", "A test server; see mock-mcp --help."}});
  }

  Json AllTools() const {
    Json tools = Json::array();
    tools.push_back(ToolSpec("echo", "Answers the text it is given",
                             {{"text", {{"type", "string"}}}}, {"text"}));
    tools.push_back(ToolSpec("sleep", "Answers after ms milliseconds",
                             {{"ms", {{"type", "integer"}}}}, {"ms"}));
    tools.push_back(ToolSpec("spawn_grandchild", "Starts a long-lived child process",
                             {{"seconds", {{"type", "integer"}}},
                              {"new_session", {{"type", "boolean"}}},
                              {"orphan", {{"type", "boolean"}}}}));
    tools.push_back(
        ToolSpec("open_files", "Holds n more open files", {{"n", {{"type", "integer"}}}}, {"n"}));
    tools.push_back(ToolSpec("allocate", "Holds bytes more memory",
                             {{"bytes", {{"type", "integer"}}}}, {"bytes"}));
    tools.push_back(
        ToolSpec("crash", "Dies by a signal at once", {{"signal", {{"type", "integer"}}}}));
    tools.push_back(ToolSpec("hang", "Never answers", {{"stop_serving", {{"type", "boolean"}}}}));
    tools.push_back(
        ToolSpec("fail", "Answers an error result", {{"message", {{"type", "string"}}}}));
    tools.push_back(ToolSpec("getenv", "Answers an environment variable",
                             {{"name", {{"type", "string"}}}}, {"name"}));
    tools.push_back(ToolSpec("write_stderr", "Writes lines to stderr",
                             {{"text", {{"type", "string"}}}, {"repeat", {{"type", "integer"}}}},
                             {"text"}));
    tools.push_back(ToolSpec("change_tools", "Adds the tool extra and says so", Json::object()));
    tools.push_back(ToolSpec("big_result", "Answers a text of `bytes` bytes, on one line",
                             Json{{"bytes", {{"type", "integer"}}}}, {"bytes"}));
    tools.push_back(ToolSpec("nested_result", "Answers with JSON nested `depth` arrays deep",
                             Json{{"depth", {{"type", "integer"}}}}, {"depth"}));
    tools.push_back(
        ToolSpec("endless_line", "Writes a stdout line that never ends", Json::object()));
    tools.push_back(ToolSpec("notify", "Sends `count` notifications, then answers",
                             Json{{"count", {{"type", "integer"}}}}, {"count"}));
    tools.push_back(ToolSpec("stats", "Answers counters as JSON text", Json::object()));
    if (extra_tool_)
      tools.push_back(ToolSpec("extra", "Appears after change_tools", Json::object()));
    return tools;
  }

  void ListTools(const Json& id, const Json& params) {
    ++tools_list_requests_;
    Json all = AllTools();
    size_t start = 0;
    if (auto c = params.find("cursor"); c != params.end() && c->is_string()) {
      start = std::strtoul(c->get<std::string>().c_str(), nullptr, 10);
    }
    size_t size = options_.page_size > 0 ? static_cast<size_t>(options_.page_size) : all.size();
    Json page = Json::array();
    for (size_t i = start; i < all.size() && i < start + size; ++i) page.push_back(all[i]);
    Json result = {{"tools", page}};
    if (start + size < all.size()) result["nextCursor"] = std::to_string(start + size);
    Answer(id, result);
  }

  void CallTool(const Json& id, const Json& params) {
    const std::string tool = params.value("name", "");
    const Json args = params.value("arguments", Json::object());
    if (tool != "stats") {
      if (std::string why = LeakPerCall(); !why.empty()) return Answer(id, ErrorResult(why));
    }
    if (tool == "echo") {
      auto text = args.find("text");
      if (text == args.end() || !text->is_string())
        return Answer(id, ErrorResult("echo needs text"));
      return Answer(id, TextResult(text->get<std::string>()));
    }
    if (tool == "sleep") {
      int64_t ms = args.value("ms", int64_t{0});
      sleeps_.push_back({Clock::now() + std::chrono::milliseconds(ms), id, ms});
      return;
    }
    if (tool == "spawn_grandchild") return SpawnGrandchild(id, args);
    if (tool == "big_result" || tool == "nested_result") {
      // Written as it is made: the point is the client's memory, not ours.
      const int64_t n =
          std::max<int64_t>(0, args.value(tool == "big_result" ? "bytes" : "depth", int64_t{0}));
      const std::string piece(64 * 1024, tool == "big_result" ? 'x' : '[');
      Preamble();
      WriteAll(STDOUT_FILENO, "{\"jsonrpc\":\"2.0\",\"id\":" + JsonDump(id) +
                                  (tool == "big_result"
                                       ? ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                                       : ",\"result\":{\"content\":[{\"type\":\"text\","
                                         "\"text\":\"deep\"}],\"structuredContent\":{\"v\":"));
      for (int64_t done = 0; done < n; done += static_cast<int64_t>(piece.size())) {
        WriteAll(STDOUT_FILENO,
                 piece.substr(0, static_cast<size_t>(std::min<int64_t>(
                                     n - done, static_cast<int64_t>(piece.size())))));
      }
      if (tool == "nested_result") {
        const std::string close(64 * 1024, ']');
        for (int64_t done = 0; done < n; done += static_cast<int64_t>(close.size())) {
          WriteAll(STDOUT_FILENO,
                   close.substr(0, static_cast<size_t>(std::min<int64_t>(
                                       n - done, static_cast<int64_t>(close.size())))));
        }
        WriteAll(STDOUT_FILENO, "}}}\n");
      } else {
        WriteAll(STDOUT_FILENO, "\"}]}}\n");
      }
      return;
    }
    if (tool == "endless_line") {
      const std::string piece(64 * 1024, 'z');
      for (;;) WriteAll(STDOUT_FILENO, piece);  // ends when the client closes stdout's pipe
    }
    if (tool == "notify") {
      const int64_t count = std::max<int64_t>(0, args.value("count", int64_t{0}));
      const std::string note = JsonDump({{"jsonrpc", "2.0"},
                                         {"method", "notifications/message"},
                                         {"params", {{"level", "info"}, {"data", "noise"}}}}) +
                               "\n";
      for (int64_t i = 0; i < count; ++i) WriteAll(STDOUT_FILENO, note);
      return Answer(id, TextResult("sent " + std::to_string(count) + " notifications"));
    }
    if (tool == "open_files") {
      int64_t n = args.value("n", int64_t{0});
      for (int64_t i = 0; i < n; ++i) {
        if (std::string why = OpenDevNull(files_); !why.empty())
          return Answer(id, ErrorResult(why));
      }
      return Answer(id, TextResult("holding " + std::to_string(files_.size()) + " open files"));
    }
    if (tool == "allocate") {
      int64_t bytes = args.value("bytes", int64_t{0});
      if (bytes < 0) return Answer(id, ErrorResult("bytes must not be negative"));
      Hold(static_cast<size_t>(bytes));
      allocated_ += static_cast<size_t>(bytes);
      return Answer(id, TextResult("holding " + std::to_string(allocated_) + " bytes"));
    }
    if (tool == "crash") {
      int sig = static_cast<int>(args.value("signal", int64_t{SIGKILL}));
      struct rlimit no_core = {0, 0};
      ::setrlimit(RLIMIT_CORE, &no_core);
      ::signal(sig, SIG_DFL);
      ::kill(::getpid(), sig);
      ::_exit(128 + sig);  // a signal that does not kill by default
    }
    if (tool == "hang") {
      if (args.value("stop_serving", false)) stop_serving_ = true;
      return;  // never answered
    }
    if (tool == "fail") return Answer(id, ErrorResult(args.value("message", "failed on purpose")));
    if (tool == "getenv") {
      const char* value =
          std::getenv(args.value("name", "").c_str());  // NOLINT(concurrency-mt-unsafe)
      return Answer(id, TextResult(value != nullptr ? value : "(unset)"));
    }
    if (tool == "write_stderr") {
      std::string line = args.value("text", "") + "\n";
      int64_t repeat = args.value("repeat", int64_t{1});
      for (int64_t i = 0; i < repeat; ++i) WriteAll(STDERR_FILENO, line);
      return Answer(id, TextResult("wrote " + std::to_string(repeat) + " lines"));
    }
    if (tool == "change_tools") {
      extra_tool_ = true;
      Send({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
      return Answer(id, TextResult("tool extra added"));
    }
    if (tool == "extra" && extra_tool_) return Answer(id, TextResult("extra"));
    if (tool == "stats") {
      Json stats = {{"pid", ::getpid()},
                    {"client_replies", client_replies_},
                    {"client_errors", client_errors_},
                    {"tools_list_requests", tools_list_requests_},
                    {"open_files", files_.size()},
                    {"allocated_bytes", allocated_},
                    {"retained_bytes", retained_},
                    {"leaked_fds", leaked_fds_.size()},
                    {"leaked_threads", parked_.size()},
                    {"leaked_children", leaked_children_}};
      Json result = TextResult(JsonDump(stats));
      result["structuredContent"] = stats;
      return Answer(id, result);
    }
    AnswerError(id, -32602, "Unknown tool: " + tool);
  }

  // What the leak switches keep, once per tools/call. Empty, or why a
  // resource could not be had (the call then answers that as its error).
  std::string LeakPerCall() {
    if (options_.leak_bytes_per_call > 0) {
      Hold(options_.leak_bytes_per_call);
      retained_ += options_.leak_bytes_per_call;
    }
    if (options_.leak_fd_per_call) {
      if (std::string why = OpenDevNull(leaked_fds_); !why.empty()) return why;
    }
    if (options_.leak_thread_per_call) {
      try {
        // Parked until the destructor's request_stop(): nothing is detached.
        parked_.emplace_back([this](std::stop_token stop) {
          std::unique_lock lock(park_mu_);
          park_cv_.wait(lock, stop, [] { return false; });
        });
      } catch (const std::system_error& e) {
        return std::string("thread: ") + e.what();
      }
    }
    if (options_.leak_child_per_call) return SpawnSleeper();
    return "";
  }

  // Keeps `bytes` more of heap, every page touched so that it is resident.
  void Hold(size_t bytes) {
    auto block = std::make_unique<char[]>(bytes);
    std::memset(block.get(), 0x5a, bytes);
    blocks_.push_back(std::move(block));
  }

  static std::string OpenDevNull(std::vector<UniqueFd>& into) {
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::string("open: ") + std::strerror(errno);
    into.push_back(std::move(fd));
    return "";
  }

  // Starts `sleep 3600` (no shell) and forgets it: it is reaped only if it
  // ends by itself (ReapChildren), never signalled. Its stdin and stdout
  // are /dev/null, so it holds a process, not the protocol's pipes; the
  // signals the mock ignores are default again in it.
  std::string SpawnSleeper() {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    ::posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    char sleep[] = "sleep";
    char seconds[] = "3600";
    char* argv[] = {sleep, seconds, nullptr};
    pid_t pid = -1;
    const int err = ::posix_spawnp(&pid, "sleep", &actions, &attr, argv, environ);
    ::posix_spawnattr_destroy(&attr);
    ::posix_spawn_file_actions_destroy(&actions);
    if (err != 0) return std::string("posix_spawnp sleep: ") + std::strerror(err);
    ++leaked_children_;
    return "";
  }

  void SpawnGrandchild(const Json& id, const Json& args) {
    const std::string seconds = std::to_string(args.value("seconds", int64_t{300}));
    const bool new_session = args.value("new_session", false);
    const bool orphan = args.value("orphan", false);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Answer(id, ErrorResult("pipe failed"));
    UniqueFd pid_read(fds[0]);
    UniqueFd pid_write(fds[1]);
    pid_t child = ::fork();
    if (child < 0) return Answer(id, ErrorResult("fork failed"));
    if (child == 0) {
      if (new_session) ::setsid();
      if (orphan) {
        pid_t grandchild = ::fork();
        if (grandchild != 0) {
          (void)!::write(pid_write.get(), &grandchild, sizeof grandchild);
          ::_exit(0);
        }
      }
      ::signal(SIGTERM, SIG_DFL);
      ::execlp("sleep", "sleep", seconds.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_t pid = child;
    pid_write.Reset();
    if (orphan) {
      pid_t grandchild = -1;
      if (::read(pid_read.get(), &grandchild, sizeof grandchild) != sizeof grandchild) {
        return Answer(id, ErrorResult("double fork failed"));
      }
      while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
      pid = grandchild;
    }
    // The pipe closes when `sleep` is exec'd: by then setsid() is done, so
    // the caller sees the process as it will stay.
    for (;;) {
      char ignored;
      ssize_t n = ::read(pid_read.get(), &ignored, 1);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      break;
    }
    Json result = TextResult("pid " + std::to_string(pid));
    result["structuredContent"] = {{"pid", pid}};
    Answer(id, result);
  }

  void FireDueSleeps() {
    const auto now = Clock::now();
    for (auto it = sleeps_.begin(); it != sleeps_.end();) {
      if (it->due <= now) {
        Json id = it->id;
        int64_t ms = it->ms;
        it = sleeps_.erase(it);
        Answer(id, TextResult("slept " + std::to_string(ms) + " ms"));
      } else {
        ++it;
      }
    }
  }

  void ReapChildren() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }

  void Answer(const Json& id, Json result) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  }

  void AnswerError(const Json& id, int code, const std::string& message) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }

  void Send(const Json& message) {
    if (message.contains("id")) Preamble();
    WriteAll(STDOUT_FILENO, JsonDump(message) + "\n");
  }

  // What the flags put before every answer.
  void Preamble() {
    if (options_.malformed) WriteAll(STDOUT_FILENO, "{\"jsonrpc\": \"2.0\", this is not JSON\n");
    if (options_.flood_bytes > 0) {
      // Half in short garbage lines, half in one line far over any sane cap.
      const size_t half = options_.flood_bytes / 2;
      std::string line(1023, '#');
      line += '\n';
      for (size_t done = 0; done < half; done += line.size()) WriteAll(STDOUT_FILENO, line);
      std::string chunk(64 * 1024, '~');
      for (size_t done = 0; done < options_.flood_bytes - half; done += chunk.size())
        WriteAll(STDOUT_FILENO, chunk);
      WriteAll(STDOUT_FILENO, "\n");
    }
    if (options_.chatty) {
      ++server_requests_;
      WriteAll(STDOUT_FILENO,
               JsonDump({{"jsonrpc", "2.0"},
                         {"method", "notifications/message"},
                         {"params", {{"level", "info"}, {"data", "about to answer"}}}}) +
                   "\n");
      WriteAll(STDOUT_FILENO, JsonDump({{"jsonrpc", "2.0"},
                                        {"id", "roots-" + std::to_string(server_requests_)},
                                        {"method", "roots/list"}}) +
                                  "\n");
      WriteAll(STDOUT_FILENO, JsonDump({{"jsonrpc", "2.0"},
                                        {"id", "ping-" + std::to_string(server_requests_)},
                                        {"method", "ping"}}) +
                                  "\n");
    }
  }

  void WriteStderrFlood() {
    std::string line = "mock-mcp: stderr filler line ";
    line.append(100, '.');
    line += '\n';
    for (size_t done = 0; done < options_.stderr_bytes; done += line.size())
      WriteAll(STDERR_FILENO, line);
    WriteAll(STDERR_FILENO, "mock-mcp: last stderr line\n");
  }

  static void WriteAll(int fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(fd == STDOUT_FILENO ? 0 : 1);  // the client is gone
      done += static_cast<size_t>(n);
    }
  }

  const MockMcpOptions options_;
  std::vector<PendingSleep> sleeps_;
  std::vector<UniqueFd> files_;
  std::vector<std::unique_ptr<char[]>> blocks_;  // allocate's and the leaked bytes
  size_t allocated_ = 0;
  size_t retained_ = 0;  // bytes kept by leak_bytes_per_call
  std::vector<UniqueFd> leaked_fds_;
  int64_t leaked_children_ = 0;
  // Declared before parked_, so that the threads are joined before these go.
  std::mutex park_mu_;
  std::condition_variable_any park_cv_;
  std::vector<std::jthread> parked_;
  bool stop_serving_ = false;
  bool first_read_ = true;
  bool extra_tool_ = false;
  int64_t client_replies_ = 0;
  int64_t client_errors_ = 0;
  int64_t tools_list_requests_ = 0;
  int64_t server_requests_ = 0;
};

}  // namespace

int RunMockMcp(const MockMcpOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);  // a gone client shows as EPIPE, and we exit
  if (options.ignore_sigterm) ::signal(SIGTERM, SIG_IGN);
  Server server(options);
  return server.Run();
}

}  // namespace goose::mock
