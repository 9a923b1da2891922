#include "scenarios/targets/mcp_target.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "scenarios/targets/executable_info.h"
#include "scenarios/targets/program_launch.h"
#include "scenarios/targets/server_observer.h"

namespace goose::scenarios {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The runtime a program name stands for, or "".
std::string RuntimeOfName(std::string_view name) {
  if (name == "node" || name == "nodejs" || name == "npx" || name == "npm") return "node";
  if (StartsWith(name, "python") || name == "uv" || name == "uvx") return "python";
  return "";
}

// The interpreter of a #! line ("/usr/bin/env node" -> "node").
std::string ShebangProgram(const std::filesystem::path& script) {
  std::ifstream in(script);
  std::string line;
  std::getline(in, line);
  if (!StartsWith(line, "#!")) return "";
  std::vector<std::string> words;
  size_t at = 2;
  while (at < line.size()) {
    const size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string::npos) break;
    const size_t end = line.find_first_of(" \t", start);
    words.push_back(line.substr(start, end == std::string::npos ? end : end - start));
    at = end == std::string::npos ? line.size() : end;
  }
  if (words.empty()) return "";
  std::string program = std::filesystem::path(words[0]).filename().string();
  // /usr/bin/env [-S] PROGRAM
  for (size_t i = 1; program == "env" && i < words.size(); ++i) {
    if (!StartsWith(words[i], "-")) return std::filesystem::path(words[i]).filename().string();
  }
  return program;
}

bool IsLauncher(std::string_view name) {
  return name == "sh" || name == "bash" || name == "dash" || name == "zsh" || name == "env" ||
         name == "exec" || name == "nice" || name == "timeout";
}

// The words of `argv` after its first, with a shell's -c string split on
// blanks: where a launcher names what it runs.
std::vector<std::string> LaunchedWords(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (size_t i = 1; i < argv.size(); ++i) {
    size_t at = 0;
    while (at < argv[i].size()) {
      const size_t start = argv[i].find_first_not_of(" \t\n;&|'\"", at);
      if (start == std::string::npos) break;
      const size_t end = argv[i].find_first_of(" \t\n;&|'\"", start);
      words.push_back(argv[i].substr(start, end == std::string::npos ? end : end - start));
      at = end == std::string::npos ? argv[i].size() : end;
    }
  }
  return words;
}

}  // namespace

std::string RuntimeOf(const std::vector<std::string>& argv) {
  if (argv.empty()) return "other";
  const std::string runtime = RuntimeOf(argv[0]);
  if (!IsLauncher(std::filesystem::path(argv[0]).filename().string())) return runtime;
  // A launcher (sh -c '... exec node server.js', env X=1 python3 s.py):
  // the runtime of the first program it names that has one.
  for (const std::string& word : LaunchedWords(argv)) {
    if (word.find('=') != std::string::npos || word.front() == '-') continue;
    if (std::string r = RuntimeOfName(std::filesystem::path(word).filename().string());
        !r.empty()) {
      return r;
    }
    if (word.find('/') != std::string::npos && InspectExecutable(word).script) {
      if (std::string r = RuntimeOf(word); r == "node" || r == "python") return r;
    }
  }
  return runtime;
}

std::string RuntimeOf(const std::string& argv0) {
  const ExecutableInfo info = InspectExecutable(argv0);
  if (info.path.empty()) return "other";
  if (std::string r = RuntimeOfName(info.path.filename().string()); !r.empty()) return r;
  if (info.script) {
    const std::string r = RuntimeOfName(ShebangProgram(info.path));
    return r.empty() ? "other" : r;
  }
  return info.elf && info.dynamic ? "native" : "other";
}

namespace {

// "exact", "node" or "pss": the heap watch for `options`.
std::string HeapWatchFor(const McpTargetOptions& options, const std::string& runtime) {
  if (options.heap != "auto") return options.heap;
  return runtime == "node" ? "node" : runtime == "other" ? "pss" : "exact";
}

}  // namespace

std::string ExpectedMcpHeapKind(const McpTargetOptions& options) {
  if (options.argv.empty()) return "pss";
  const std::string watch = HeapWatchFor(options, RuntimeOf(options.argv));
  if (watch == "node") return "v8";
  if (watch == "exact" && !options.profile &&
      PreloadRefusal(InspectExecutable(options.argv[0])).empty()) {
    return "malloc";
  }
  return "pss";
}

McpTarget::McpTarget(McpTargetOptions options)
    : options_(std::move(options)),
      own_watch_(options_.watch == nullptr ? std::make_unique<probe::OrphanWatch>() : nullptr),
      orphans_(options_.watch == nullptr ? own_watch_.get() : options_.watch) {}

McpTarget::~McpTarget() {
  if (client_) client_->Stop(std::chrono::seconds(5));
  client_.reset();
  orphans_->KillAndReapAll(before_);
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

Status McpTarget::Start() {
  if (options_.argv.empty()) return InvalidArgument("the MCP server command is empty");
  for (const probe::ProcessInfo& p : orphans_->Descendants()) before_.insert(p.pid);
  std::string tmpl = (std::filesystem::temp_directory_path() / "leakcheck-mcp-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return IoError("cannot make a temporary directory");
  temp_dir_ = tmpl;
  const std::filesystem::path work = temp_dir_ / "work";
  std::error_code ec;
  std::filesystem::create_directories(work, ec);
  if (ec) return IoError("cannot make " + work.string() + ": " + ec.message());

  std::map<std::string, std::string> env;
  if (!options_.keep_home) env["HOME"] = work.string();
  PrepareHeap(env);
  for (const auto& [key, value] : options_.extra_env) env[key] = value;
  SpawnOptions spawn;
  spawn.name = options_.argv[0];
  spawn.supervision = Supervision::kDirect;
  spawn.working_dir = options_.working_dir.empty() ? work.string() : options_.working_dir.string();
  spawn.stop_grace = std::chrono::seconds(5);
  spawn.leave_descendants = true;  // what the server leaves behind is what is judged
  Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(options_.argv, env, spawn);
  if (!child.ok()) return child.status();
  McpClientOptions client;
  client.name = options_.argv[0];
  client.timeout = options_.request_timeout;
  client.client_name = "leakcheck";
  client_ = std::make_unique<McpClient>(std::move(*child), client);
  Result<McpServerInfo> info = client_->Initialize();
  if (!info.ok()) {
    client_->child().WaitStderrClosed(Clock::now() + std::chrono::milliseconds(500));
    return Status(info.status().code(),
                  "the MCP server did not initialize: " + info.status().message() +
                      "; its stderr: " + client_->child().StderrShortTail());
  }
  server_info_ = std::move(*info);
  CheckHeap();
  // PSS as PSS goes: a tcmalloc server's settles later, a sanitizer
  // build's is recorded, not judged (thresholds.h).
  if (heap_kind_ == "pss") heap_kind_ = ServerObserver::PssKind(pid());
  return Status::Ok();
}

void McpTarget::PrepareHeap(std::map<std::string, std::string>& env) {
  runtime_ = RuntimeOf(options_.argv);
  const std::string heap = HeapWatchFor(options_, runtime_);
  if (heap == "node") {
    std::error_code ec;
    std::filesystem::create_directories(temp_dir_ / "node-heap", ec);
    node_probe_ = std::make_unique<NodeHeapProbe>(temp_dir_ / "node-heap");
    AddNodeProbeEnv(temp_dir_ / "node-heap", env);
    heap_kind_ = "v8";
    return;
  }
  if (heap != "exact") return;  // pss
  if (options_.profile) {
    if (const std::string refusal = ProfilerPreloadRefusal(InspectExecutable(options_.argv[0]));
        !refusal.empty()) {
      heap_note_ = "no heap profile: " + refusal;
      return;
    }
    Result<PreloadedHeapProfiler> profiler =
        PreloadedHeapProfiler::Prepare(temp_dir_ / "heap", env);
    if (!profiler.ok()) {
      heap_note_ = "no heap profile: " + profiler.status().message();
      return;
    }
    profiler_.emplace(std::move(*profiler));
    env["PYTHONMALLOC"] = "malloc";  // CPython's objects through the profiled malloc
    heap_note_ =
        "the heap profiler is preloaded in place of the allocation counter (--profile): the heap "
        "series is PSS";
    return;
  }
  if (const std::string refusal = PreloadRefusal(InspectExecutable(options_.argv[0]));
      !refusal.empty()) {
    heap_note_ = "no exact heap: " + refusal;
    return;
  }
  Result<AllocCounterPage> page = AllocCounterPage::Create(temp_dir_ / "alloc-page");
  if (!page.ok()) {
    heap_note_ = "no exact heap: " + page.status().message();
    return;
  }
  alloc_page_.emplace(std::move(*page));
  env["LD_PRELOAD"] = PreloadWith(AllocCounterPage::LibraryPath());
  env[kAllocPageEnv] = (temp_dir_ / "alloc-page").string();
  // CPython's small objects come from its own arenas unless told
  // otherwise; its type cache is kept cleared by the sitecustomize there.
  env["PYTHONMALLOC"] = "malloc";
  const char* python_path = std::getenv("PYTHONPATH");
  env["PYTHONPATH"] =
      AllocCounterPage::PythonSiteDir() + (python_path != nullptr && *python_path != '\0'
                                               ? std::string(":") + python_path
                                               : std::string());
}

void McpTarget::CheckHeap() {
  if (node_probe_) {
    if (node_probe_->ProbedPids().empty()) {
      heap_note_ =
          "no V8 heap: no node process loaded the probe (a launcher may have cleared "
          "NODE_OPTIONS); the heap series is PSS";
      node_probe_.reset();
      heap_kind_ = "pss";
    }
    return;
  }
  if (!alloc_page_) return;
  // The counter claims its page in the first image it loads into; the
  // server must be that process and allocate through it.
  const AllocCounterPage::Snapshot now = alloc_page_->Read();
  if (now.owner_pid != pid() || now.allocations == 0) {
    heap_note_ = "no exact heap: the allocation counter did not count in pid " +
                 std::to_string(pid()) +
                 (now.owner_pid == 0
                      ? std::string(" (it never loaded: LD_PRELOAD ignored?)")
                      : " (it counted in pid " + std::to_string(now.owner_pid) + ", a launcher?)") +
                 "; the heap series is PSS";
    alloc_page_.reset();
    return;
  }
  heap_kind_ = "malloc";
}

pid_t McpTarget::pid() const { return client_ ? client_->child().pid() : -1; }

// What runs below this process but was there before the server: not its.
int64_t McpTarget::Descendants() const {
  std::set<pid_t> own = before_;
  own.insert(pid());
  orphans_->ReapZombies(own);
  return static_cast<int64_t>(orphans_->Descendants(before_).size());
}

int McpTarget::KillStrayDescendants() {
  const bool running = client_ && !client_->child().HasExited();
  std::set<pid_t> own = before_;
  own.insert(pid());
  return KillStrays(*orphans_, own, running);
}

std::optional<double> McpTarget::ExternalHeapBytes() const {
  if (alloc_page_) return static_cast<double>(alloc_page_->Read().live_bytes);
  if (node_probe_) {
    std::vector<pid_t> pids;
    for (const probe::ProcessInfo& p : orphans_->Descendants(before_)) pids.push_back(p.pid);
    Result<double> heap = node_probe_->Read(pids, std::chrono::seconds(10));
    if (heap.ok()) return *heap;
    return std::nullopt;
  }
  return ServerObserver::MemoryBytes(pid());
}

Result<std::map<pid_t, std::filesystem::path>> McpTarget::WriteHeapSnapshots(
    const std::filesystem::path& out_dir, const std::string& tag) {
  if (!node_probe_) {
    return InvalidArgument("no V8 heap snapshot: the server is not watched through the node probe" +
                           (heap_note_.empty() ? std::string() : " (" + heap_note_ + ")"));
  }
  std::vector<pid_t> pids;
  for (const probe::ProcessInfo& p : orphans_->Descendants(before_)) pids.push_back(p.pid);
  return node_probe_->WriteSnapshots(pids, out_dir, tag, std::chrono::seconds(120));
}

Result<std::string> McpTarget::DumpHeapProfile() {
  if (!profiler_) {
    return InvalidArgument(heap_note_.empty() ? "the server was not started with a heap profiler"
                                              : heap_note_);
  }
  if (!client_ || client_->child().HasExited()) {
    return Status(StatusCode::kUnavailable, "the MCP server exited");
  }
  return profiler_->Dump(pid());
}

std::string McpTarget::ExitDescription() const {
  if (!client_ || !client_->child().HasExited()) return "";
  client_->child().WaitStderrClosed(Clock::now() + std::chrono::milliseconds(500));
  const std::string err = client_->child().StderrShortTail();
  return "it exited; its stderr: " + (err.empty() ? std::string("(empty)") : err);
}

std::vector<std::string> McpTarget::ProcessTree(const std::set<pid_t>& others) const {
  std::vector<std::string> tree;
  for (const probe::ProcessInfo& p : orphans_->Descendants(others)) {
    tree.push_back(std::to_string(p.pid) + " (" + p.command + ") ppid " + std::to_string(p.ppid));
  }
  return tree;
}

namespace {

// True once `fd` (a pidfd) polls readable within `timeout`.
bool ExitsWithin(int fd, std::chrono::milliseconds timeout) {
  pollfd pfd{fd, POLLIN, 0};
  return ::poll(&pfd, 1, static_cast<int>(timeout.count())) > 0;
}

}  // namespace

ClientShutdown McpTarget::ShutDownAsClient(bool signal_first, std::chrono::milliseconds grace,
                                           const std::set<pid_t>& others) {
  ClientShutdown out;
  if (!client_) return out;
  ChildProcess& child = client_->child();
  const pid_t server = child.pid();
  out.tree = ProcessTree(others);
  const Clock::time_point start = Clock::now();
  const std::vector<std::pair<std::string, int>> steps =
      signal_first
          ? std::vector<std::pair<std::string, int>>{{"SIGTERM", SIGTERM}, {"SIGKILL", SIGKILL}}
          : std::vector<std::pair<std::string, int>>{
                {"stdin closed", 0}, {"SIGTERM", SIGTERM}, {"SIGKILL", SIGKILL}};
  for (const auto& [name, signal] : steps) {
    if (signal == 0) {
      child.RequestStop();  // closes stdin: MCP's shutdown signal
    } else {
      ::kill(server, signal);
    }
    out.ended_by = name;
    if (ExitsWithin(child.exit_fd(), grace)) break;
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Its orphans re-parent to this process's subreaper as it exits.
  std::set<pid_t> not_left = others;
  not_left.insert(server);
  for (const probe::ProcessInfo& p : orphans_->Descendants(not_left)) {
    if (p.state == 'Z') continue;
    out.left.push_back(std::to_string(p.pid) + " (" + p.command + ")");
  }
  out.exit_status = client_->AwaitStop(Clock::now() + grace).ToString();
  client_.reset();
  orphans_->KillAndReapAll(others);
  return out;
}

}  // namespace goose::scenarios
