#include "scenarios/targets/node_heap_probe.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "core/base/file_io.h"
#include "core/base/json.h"
#include "core/base/process_tree.h"
#include "scenarios/alloc_counter/alloc_counter_page.h"

namespace goose::scenarios {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(5);
constexpr std::string_view kFilePrefix = "node-heap-";
constexpr std::string_view kFileSuffix = ".json";

// `text` as one NODE_OPTIONS word: in double quotes, with `"` and `\`
// escaped by a backslash (how node's ParseNodeOptionsEnvVar reads them).
std::string NodeOptionsWord(const std::string& text) {
  std::string word = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') word += '\\';
    word += c;
  }
  return word + "\"";
}

// The pid a probe file is named after; nullopt for any other name.
std::optional<pid_t> PidOfFile(const std::string& name) {
  if (name.size() <= kFilePrefix.size() + kFileSuffix.size() || !name.starts_with(kFilePrefix) ||
      !name.ends_with(kFileSuffix)) {
    return std::nullopt;
  }
  const std::string digits =
      name.substr(kFilePrefix.size(), name.size() - kFilePrefix.size() - kFileSuffix.size());
  if (digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const long pid = std::strtol(digits.c_str(), nullptr, 10);
  if (pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

// The probe file of a process: nullopt when there is none (the process does
// not carry the probe); DataLoss when it is not the probe's JSON.
Result<std::optional<NodeHeapProbe::Reading>> ReadProbeFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::optional<NodeHeapProbe::Reading>();
  std::ostringstream text;
  text << in.rdbuf();
  Result<Json> json = JsonParse(text.str(), file.string());
  if (!json.ok()) return DataLoss("node heap probe file: " + json.status().message());
  if (!json->is_object()) return DataLoss(file.string() + " is not a JSON object");
  JsonObjectReader fields(*json, "");
  NodeHeapProbe::Reading reading;
  reading.pid = static_cast<pid_t>(fields.Int("pid"));
  reading.seq = fields.Int("seq");
  reading.heap_used = fields.Int("heap_used");
  reading.external = fields.Int("external");
  reading.array_buffers = fields.Int("array_buffers");
  reading.at_ms = fields.Int("at_ms");
  const Json gc = fields.Any("gc", false);
  reading.gc = gc.is_boolean() && gc.get<bool>();
  if (!fields.status().ok()) return DataLoss(file.string() + ": " + fields.status().message());
  return std::optional<NodeHeapProbe::Reading>(reading);
}

// A process asked for its heap, and the seq its answer must pass.
struct Pending {
  ProcessRef process;
  int64_t seq_before = 0;
};

std::string PidList(const std::vector<pid_t>& pids) {
  std::string list;
  for (const pid_t pid : pids) list += (list.empty() ? "" : ", ") + std::to_string(pid);
  return list.empty() ? "none" : list;
}

}  // namespace

std::string NodeProbePath() {
  return (std::filesystem::path(AllocCounterPage::BesideThisProgram(kNodeProbeDirName)) /
          kNodeProbeScriptName)
      .string();
}

void AddNodeProbeEnv(const std::filesystem::path& dir, std::map<std::string, std::string>& env) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
  env[kNodeProbeDirEnv] = (ec ? dir : absolute).string();
  std::string options;
  if (const auto given = env.find("NODE_OPTIONS"); given != env.end()) {
    options = given->second;
  } else if (const char* own = std::getenv("NODE_OPTIONS"); own != nullptr) {  // NOLINT: read only
    options = own;
  }
  if (!options.empty()) options += ' ';
  env["NODE_OPTIONS"] = options + "--require " + NodeOptionsWord(NodeProbePath()) + " --expose-gc";
}

NodeHeapProbe::NodeHeapProbe(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::filesystem::path NodeHeapProbe::FileOf(pid_t pid) const {
  return dir_ / (std::string(kFilePrefix) + std::to_string(pid) + std::string(kFileSuffix));
}

std::vector<pid_t> NodeHeapProbe::ProbedPids() const {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::optional<pid_t> pid = PidOfFile(entry.path().filename().string());
    if (!pid) continue;
    const std::optional<ProcStat> stat = ReadProcStat(*pid);
    if (stat && stat->state != 'Z') pids.push_back(*pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

Result<double> NodeHeapProbe::Read(const std::vector<pid_t>& pids,
                                   std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<pid_t> asked = pids;
  std::sort(asked.begin(), asked.end());
  asked.erase(std::unique(asked.begin(), asked.end()), asked.end());

  // Signal each process that carries the probe, noting the seq it is at.
  std::vector<Pending> pending;
  for (const pid_t pid : asked) {
    Result<std::optional<Reading>> before = ReadProbeFile(FileOf(pid));
    if (!before.ok()) return before.status();
    if (!before->has_value()) continue;
    const std::optional<ProcStat> stat = ReadProcStat(pid);
    if (!stat || stat->state == 'Z') continue;
    const ProcessRef process{pid, stat->start_time};
    if (SignalProcesses({process}, SIGUSR2) != 1) continue;  // it exited
    pending.push_back({process, (*before)->seq});
  }
  if (pending.empty()) {
    return NotFound("no Node.js process carries leakcheck's heap probe (asked: " + PidList(asked) +
                    "; no live one wrote a node-heap-<pid>.json in " + dir_.string() +
                    "): the target is not Node.js, or a launcher cleared or replaced "
                    "NODE_OPTIONS (it must keep --require " +
                    NodeProbePath() + ")");
  }

  // Wait for each answer: a later seq, written after a full GC.
  std::vector<Reading> readings;
  for (;;) {
    for (auto it = pending.begin(); it != pending.end();) {
      Result<std::optional<Reading>> now = ReadProbeFile(FileOf(it->process.pid));
      if (!now.ok()) return now.status();
      if (now->has_value() && (*now)->seq > it->seq_before) {
        readings.push_back(**now);
        it = pending.erase(it);
      } else if (!IsRunning(it->process)) {
        it = pending.erase(it);  // exited before answering: its heap is gone
      } else {
        ++it;
      }
    }
    if (pending.empty()) break;
    if (Clock::now() >= deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "node process " + std::to_string(pending.front().process.pid) +
                        " did not answer leakcheck's heap probe (SIGUSR2) within " +
                        std::to_string(timeout.count()) + " ms: its event loop is busy or blocked");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (readings.empty()) {
    return NotFound("every Node.js process that carried leakcheck's heap probe exited (asked: " +
                    PidList(asked) + ")");
  }
  double heap_used = 0;
  for (const Reading& reading : readings) heap_used += static_cast<double>(reading.heap_used);
  std::sort(readings.begin(), readings.end(),
            [](const Reading& a, const Reading& b) { return a.pid < b.pid; });
  last_readings_ = std::move(readings);
  return heap_used;
}

Result<std::map<pid_t, std::filesystem::path>> NodeHeapProbe::WriteSnapshots(
    const std::vector<pid_t>& pids, const std::filesystem::path& out_dir, const std::string& tag,
    std::chrono::milliseconds timeout) {
  std::map<pid_t, std::filesystem::path> files;
  for (const pid_t pid : ProbedPids()) {
    if (std::find(pids.begin(), pids.end(), pid) == pids.end()) continue;
    const std::filesystem::path file =
        std::filesystem::absolute(out_dir) / (tag + "-" + std::to_string(pid) + ".heapsnapshot");
    std::error_code ec;
    std::filesystem::remove(file, ec);
    // Written whole, then renamed: the probe reads the request at once.
    const std::filesystem::path request =
        dir_ / ("node-snapshot-" + std::to_string(pid) + ".request");
    const std::filesystem::path temp = dir_ / (".node-snapshot-" + std::to_string(pid) + ".tmp");
    if (Status s = WriteFile(temp, file.string() + "\n"); !s.ok()) return s;
    std::filesystem::rename(temp, request, ec);
    if (ec) return IoError("cannot write " + request.string() + ": " + ec.message());
    files[pid] = file;
  }
  Result<double> answered = Read(pids, timeout);
  if (!answered.ok()) return answered.status();
  for (auto it = files.begin(); it != files.end();) {
    std::error_code ec;
    const bool written = std::filesystem::file_size(it->second, ec) > 0 && !ec;
    const bool answered_by_it = std::any_of(last_readings_.begin(), last_readings_.end(),
                                            [&](const Reading& r) { return r.pid == it->first; });
    if (!answered_by_it) {
      it = files.erase(it);  // exited meanwhile
    } else if (!written) {
      return IoError("node process " + std::to_string(it->first) +
                     " answered without writing its heap snapshot " + it->second.string());
    } else {
      ++it;
    }
  }
  return files;
}

}  // namespace goose::scenarios
