#include "scenarios/targets/command_target.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/thread_annotations.h"
#include "scenarios/targets/executable_info.h"
#include "scenarios/targets/preloaded_profiler.h"
#include "scenarios/targets/run_program.h"

namespace goose::scenarios {
namespace {

// goose's own config file with `extension` as the stdio extension "mcp",
// for a server that loads its extensions from there (goose reads
// $XDG_CONFIG_HOME/goose/config.yaml). Strings are written as JSON
// strings, which YAML reads as double-quoted scalars.
Status WriteGooseConfig(const std::filesystem::path& config_home,
                        const ExtensionCommand& extension) {
  std::error_code ec;
  std::filesystem::create_directories(config_home / "goose", ec);
  if (ec) return IoError("cannot make " + (config_home / "goose").string() + ": " + ec.message());
  return WriteFile(config_home / "goose" / "config.yaml",
                   "extensions:\n"
                   "  mcp:\n"
                   "    enabled: true\n"
                   "    type: stdio\n"
                   "    name: mcp\n"
                   "    cmd: " +
                       Json(extension.cmd).dump() + "\n    args: " + Json(extension.args).dump() +
                       "\n"
                       "    envs: {}\n"
                       "    timeout: 30\n");
}

std::string CommandLine(const std::vector<std::string>& argv) { return Join(argv, " "); }

}  // namespace

// Reads the command's stdout until EOF or stop, keeping the last bytes.
class CommandTarget::OutputDrain {
 public:
  explicit OutputDrain(int fd)
      : thread_([this, fd](std::stop_token stop) { Read(fd, std::move(stop)); }) {}

  std::string Tail() const {
    MutexLock lock(mu_);
    return tail_;
  }

 private:
  static constexpr size_t kKeep = 4096;

  void Read(int fd, std::stop_token stop) {
    DrainPipe(
        fd, [&stop] { return !stop.stop_requested(); },
        [this](std::string_view bytes) {
          MutexLock lock(mu_);
          tail_.append(bytes);
          if (tail_.size() > kKeep) tail_.erase(0, tail_.size() - kKeep);
        });
  }

  mutable Mutex mu_;
  std::string tail_ GUARDED_BY(mu_);
  std::jthread thread_;  // last: joined before the members above go
};

std::map<std::string, std::string> TargetEnvironment(const std::string& mock_url,
                                                     const std::string& model, int port,
                                                     const std::string& api_key,
                                                     const std::filesystem::path& data_dir,
                                                     std::chrono::duration<double> session_ttl,
                                                     const std::string& ttl_env) {
  const std::string sessions = (data_dir / "goose" / "sessions").string();
  const std::string port_text = std::to_string(port);
  std::map<std::string, std::string> env = {
      // The provider: OpenAI-compatible, at the mock, as goose configures it.
      {"GOOSE_PROVIDER", "openai"},
      {"GOOSE_API_PROVIDER", "openai"},
      {"OPENAI_HOST", mock_url},
      {"OPENAI_BASE_PATH", "v1/chat/completions"},
      {"OPENAI_API_KEY", "leakcheck"},
      // mock-llm picks the scenario's script by the model name.
      {"GOOSE_MODEL", model},
      {"GOOSE_API_MODEL", model},
      // Where to listen and the key to require.
      {"GOOSE_API_HOST", "127.0.0.1"},
      {"GOOSE_API_PORT", port_text},
      {"GOOSE_PORT", port_text},
      {"GOOSE_API_KEY", api_key},
      {"GOOSE_SERVER__SECRET_KEY", api_key},
      // Sessions: a fresh folder, also as goose's own data directory.
      {"XDG_DATA_HOME", data_dir.string()},
      {"GOOSE_API_SESSIONS_DIR", sessions},
      {"GOOSE_API_LOG_LEVEL", "warn"},
  };
  if (!ttl_env.empty()) env[ttl_env] = std::to_string(session_ttl.count());
  return env;
}

CommandTarget::CommandTarget(TargetRequirements requirements, CommandTargetOptions options)
    : LaunchedTarget(std::move(requirements), "leakcheck"), options_(std::move(options)) {}

// The stdout drain reads a pipe the command's ChildProcess owns: it goes
// once the command has stopped (its stdout at EOF), before that pipe
// closes; LaunchedTarget does the rest.
CommandTarget::~CommandTarget() {
  if (server_) server_->Stop(std::chrono::seconds(5));
  stdout_drain_.reset();
}

Status CommandTarget::Start() {
  if (options_.argv.empty()) return InvalidArgument("the target command is empty");
  if (Status s = StartMock(); !s.ok()) return s;
  const std::filesystem::path data_dir = dir() / "data";
  sessions_dir_ = data_dir / "goose" / "sessions";
  std::error_code ec;
  std::filesystem::create_directories(sessions_dir_, ec);
  if (ec) return IoError("cannot make " + sessions_dir_.string() + ": " + ec.message());

  if (options_.port > 0) {
    port_ = options_.port;
  } else {
    Result<int> port = PickFreeLoopbackPort();
    if (!port.ok()) return port.status();
    port_ = *port;
  }
  std::map<std::string, std::string> env =
      TargetEnvironment(mock_llm().url(), requirements().script.name, port_, options_.api_key,
                        data_dir, requirements().session_ttl, options_.ttl_env);
  if (requirements().extension_in_config) {
    if (Status s = WriteGooseConfig(dir() / "config", requirements().extension); !s.ok()) return s;
    env["XDG_CONFIG_HOME"] = (dir() / "config").string();
  }
  PrepareHeapWatch(env);
  for (const auto& [key, value] : options_.extra_env) env[key] = value;
  SpawnOptions spawn;
  spawn.name = options_.argv[0];
  spawn.supervision = Supervision::kDirect;
  spawn.stop_grace = std::chrono::seconds(5);
  Result<std::unique_ptr<ChildProcess>> server = ChildProcess::Spawn(options_.argv, env, spawn);
  if (!server.ok()) {
    return Status(StatusCode::kUnavailable, "cannot start the target `" +
                                                CommandLine(options_.argv) +
                                                "`: " + server.status().message());
  }
  server_ = std::move(*server);
  stdout_drain_ = std::make_unique<OutputDrain>(server_->stdout_fd());
  observer_ = std::make_unique<ServerObserver>("127.0.0.1", port_, options_.api_key);
  Status ready = AwaitReady();
  // Only once it answers is the program the one that will run (not the
  // forked child before its exec, nor a server that re-executes itself).
  if (ready.ok()) {
    heap_kind_ = ServerObserver::PssKind(server_->pid());
    CheckHeapWatch();
  }
  return ready;
}

void CommandTarget::PrepareHeapWatch(std::map<std::string, std::string>& env) {
  using HeapWatch = CommandTargetOptions::HeapWatch;
  if (options_.heap == HeapWatch::kPss) return;
  const std::string what =
      options_.heap == HeapWatch::kExact ? "exact heap" : "a preloaded heap profiler";
  const ExecutableInfo program = InspectExecutable(options_.argv[0]);
  if (const std::string refusal = options_.heap == HeapWatch::kProfiler
                                      ? ProfilerPreloadRefusal(program)
                                      : PreloadRefusal(program);
      !refusal.empty()) {
    heap_note_ = "no " + what + ": " + refusal;
    return;
  }
  // CPython's small objects come from its own arenas unless told otherwise.
  env["PYTHONMALLOC"] = "malloc";
  if (options_.heap == HeapWatch::kExact) {
    Result<AllocCounterPage> page = AllocCounterPage::Create(dir() / "alloc-page");
    if (!page.ok()) {
      heap_note_ = "no exact heap: " + page.status().message();
      return;
    }
    alloc_page_.emplace(std::move(*page));
    env["LD_PRELOAD"] = PreloadWith(AllocCounterPage::LibraryPath());
    env[kAllocPageEnv] = (dir() / "alloc-page").string();
    // CPython's type cache fills for thousands of requests; the
    // sitecustomize there keeps it cleared (python/sitecustomize.py).
    const char* python_path = std::getenv("PYTHONPATH");
    env["PYTHONPATH"] =
        AllocCounterPage::PythonSiteDir() + (python_path != nullptr && *python_path != '\0'
                                                 ? std::string(":") + python_path
                                                 : std::string());
    return;
  }
  Result<PreloadedHeapProfiler> profiler = PreloadedHeapProfiler::Prepare(dir() / "heap", env);
  if (!profiler.ok()) {
    heap_note_ = "no heap profile: " + profiler.status().message();
    return;
  }
  profiler_.emplace(std::move(*profiler));
}

void CommandTarget::CheckHeapWatch() {
  if (!alloc_page_) return;
  // The counter claims its page in the first image it loads into; the
  // server must be that process (not a wrapper that forks it) and must
  // allocate through it (not a static or private allocator).
  const AllocCounterPage::Snapshot now = alloc_page_->Read();
  if (now.owner_pid != server_->pid() || now.allocations == 0) {
    heap_note_ =
        "no exact heap: the allocation counter did not count in pid " +
        std::to_string(server_->pid()) +
        (now.owner_pid == 0 ? std::string(" (it never loaded: LD_PRELOAD ignored?)")
                            : " (it counted in pid " + std::to_string(now.owner_pid) + ", " +
                                  std::to_string(now.allocations) + " allocations)");
    alloc_page_.reset();
    return;
  }
  heap_kind_ = "malloc";
}

Result<std::string> CommandTarget::DumpHeapProfile() {
  if (options_.heap != CommandTargetOptions::HeapWatch::kProfiler) {
    return Target::DumpHeapProfile();  // GET /debug/heap, as a heapprof goose-api serves
  }
  if (!profiler_) {
    return InvalidArgument(heap_note_.empty() ? "the target was not started with a heap profiler"
                                              : heap_note_);
  }
  if (!server_ || server_->HasExited()) {
    return Status(StatusCode::kUnavailable, "the target exited");
  }
  return profiler_->Dump(server_->pid());
}

Status CommandTarget::AwaitReady() {
  const std::string what = "the target `" + CommandLine(options_.argv) + "`";
  const std::string where = "127.0.0.1:" + std::to_string(port_);
  const Clock::time_point deadline = Clock::now() + options_.ready_timeout;
  while (Clock::now() < deadline) {
    if (server_->HasExited()) {
      return Status(StatusCode::kUnavailable,
                    what + " exited before it answered on " + where + ": " + ExitDescription());
    }
    Status looks = ServerObserver::CheckGooseApi("127.0.0.1", port_, options_.api_key);
    if (looks.ok()) return looks;
    if (looks.code() != StatusCode::kUnavailable) {
      if (server_->HasExited()) continue;  // someone else answered; say why it exited
      return InvalidArgument(where + " answers, but not as a goose-api server (" + looks.message() +
                             "). Either another program holds " + where + ", or " + what +
                             " does not read GOOSE_API_PORT / GOOSE_API_KEY");
    }
    // Not listening yet: wait a little, waking early if the command exits.
    pollfd pfd{server_->exit_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
  }
  return Status(
      StatusCode::kUnavailable,
      what + " did not answer on " + where + " within " +
          std::to_string(options_.ready_timeout.count()) +
          " s (is it listening on GOOSE_API_PORT?); its stderr: " + server_->StderrShortTail());
}

std::string CommandTarget::ExitDescription() const {
  if (!Exited()) return "";
  std::optional<ExitStatus> status = server_->TryReap();
  server_->WaitStderrClosed(Clock::now() + std::chrono::milliseconds(500));
  std::string out = status ? status->ToString() : std::string("exited");
  const std::string err = server_->StderrShortTail();
  out += "; its stderr: " + (err.empty() ? std::string("(empty)") : err);
  const std::string stdout_tail = stdout_drain_ ? stdout_drain_->Tail() : "";
  if (!stdout_tail.empty()) out += "; its stdout ends: " + stdout_tail.substr(0, 1024);
  return out;
}

std::optional<LedgerSnapshot> CommandTarget::Ledger() const {
  if (!observer_ || Exited()) return std::nullopt;
  return observer_->Ledger();
}

std::optional<double> CommandTarget::ExternalHeapBytes() const {
  if (alloc_page_) return static_cast<double>(alloc_page_->Read().live_bytes);
  return ServerObserver::MemoryBytes(pid());
}

std::optional<Target::SessionFiles> CommandTarget::SessionFilesNow() const {
  return ServerObserver::CountFiles(sessions_dir_);
}

}  // namespace goose::scenarios
