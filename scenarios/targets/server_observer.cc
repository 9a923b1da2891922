#include "scenarios/targets/server_observer.h"

#include <fstream>

#include "core/base/process_stats.h"
#include "scenarios/targets/executable_info.h"

namespace goose::scenarios {

ServerObserver::ServerObserver(std::string host, int port, std::string api_key)
    : host_(std::move(host)), port_(port), api_key_(std::move(api_key)) {}

std::optional<LedgerSnapshot> ServerObserver::Ledger() const {
  if (no_metrics_.load(std::memory_order_relaxed) || port_ <= 0) return std::nullopt;
  ApiClient client(host_, port_, api_key_, std::chrono::seconds(10));
  HttpAnswer a = client.Get("/metrics");
  if (a.status < 0) return std::nullopt;  // no answer now; ask again later
  const Json* resources = nullptr;
  if (a.ok() && a.body.is_object() && a.body.contains("resources") &&
      a.body["resources"].is_object()) {
    resources = &a.body["resources"];
  }
  if (resources == nullptr || !resources->contains(GaugeName(Gauge::kSessions))) {
    no_metrics_.store(true, std::memory_order_relaxed);
    return std::nullopt;
  }
  LedgerSnapshot snapshot;
  for (int i = 0; i < kGaugeCount; ++i) {
    const std::string name(GaugeName(static_cast<Gauge>(i)));
    if (resources->contains(name) && (*resources)[name].is_number()) {
      snapshot.values[i] = (*resources)[name].get<int64_t>();
    }
  }
  // This very request was pending while the server counted.
  int64_t& pending = snapshot.values[static_cast<int>(Gauge::kPendingRequests)];
  if (pending > 0) --pending;
  return snapshot;
}

Status ServerObserver::CheckGooseApi(const std::string& host, int port,
                                     const std::string& api_key) {
  ApiClient client(host, port, api_key, std::chrono::seconds(10));
  HttpAnswer sessions = client.Get("/sessions/list");
  if (sessions.status < 0) return Status(StatusCode::kUnavailable, "nothing answers");
  if (sessions.ok() && sessions.body.is_object()) return Status::Ok();
  if (sessions.status == 401) {
    return Status(StatusCode::kUnauthenticated, "GET /sessions/list refused the key (401)");
  }
  HttpAnswer extensions = client.Get("/extensions/list");
  if (extensions.ok() && extensions.body.is_object() && extensions.body.contains("extensions") &&
      extensions.body["extensions"].is_array()) {
    return Status::Ok();
  }
  return InvalidArgument("GET /sessions/list answered " + std::to_string(sessions.status) + ": " +
                         JsonDump(sessions.body) + ", and GET /extensions/list answered " +
                         std::to_string(extensions.status) + ": " + JsonDump(extensions.body));
}

std::optional<Json> ServerObserver::ForeignMetrics() const {
  if (port_ <= 0) return std::nullopt;
  ApiClient client(host_, port_, api_key_, std::chrono::seconds(10));
  HttpAnswer a = client.Get("/metrics");
  if (!a.ok() || !a.body.is_object() || a.body.contains("resources")) return std::nullopt;
  return a.body;
}

std::optional<double> ServerObserver::MemoryBytes(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const ProcessStats stats = ReadProcessStats(pid);
  if (stats.pss_bytes >= 0) return static_cast<double>(stats.pss_bytes);
  if (stats.rss_bytes >= 0) return static_cast<double>(stats.rss_bytes);
  return std::nullopt;
}

std::string ServerObserver::SanitizerOf(pid_t pid) {
  const std::string name =
      FirstNeedleInFile("/proc/" + std::to_string(pid) + "/exe",
                        {"AddressSanitizer", "ThreadSanitizer", "MemorySanitizer"});
  if (name.empty()) return "";
  return name == "AddressSanitizer" ? "asan" : name == "ThreadSanitizer" ? "tsan" : "msan";
}

bool ServerObserver::UsesTcmalloc(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libtcmalloc") != std::string::npos) return true;
  }
  return false;
}

std::string ServerObserver::PssKind(pid_t pid) {
  if (!SanitizerOf(pid).empty()) return "pss-sanitizer";
  return UsesTcmalloc(pid) ? "pss-tcmalloc" : "pss";
}

std::optional<Target::SessionFiles> ServerObserver::CountFiles(const std::filesystem::path& dir) {
  if (dir.empty()) return std::nullopt;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    // Not made yet (the server makes it on its first session): empty.
    if (ec == std::errc::no_such_file_or_directory) return Target::SessionFiles{};
    return std::nullopt;
  }
  Target::SessionFiles files;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec)) continue;
    const uintmax_t size = it->file_size(file_ec);
    if (file_ec) continue;  // removed under us
    ++files.files;
    files.bytes += static_cast<int64_t>(size);
  }
  return files;
}

}  // namespace goose::scenarios
