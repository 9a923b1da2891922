// ServerObserver: what can be seen of a goose-api compatible server from
// outside, over HTTP and /proc, for the targets leakcheck watches
// (CommandTarget, AttachedTarget).
//
//  - The resource ledger, when the server publishes it: our goose-api
//    answers GET /metrics with {"resources": {"live_streams": ..., ...}}
//    (the gauge names of core/base/resource_ledger.h). A server without that
//    route has no ledger (nullopt), and its ledger series are "not
//    observable". The /metrics request itself is one of the server's
//    pending requests while it is answered; that one is not counted.
//  - Its PSS (/proc/<pid>/smaps_rollup), the heap series of an external
//    server: its allocator cannot be read from here.
//  - The files and bytes in its sessions directory.
//
// Thread-safe: every call makes its own connection.

#ifndef GOOSE_SCENARIOS_TARGETS_SERVER_OBSERVER_H_
#define GOOSE_SCENARIOS_TARGETS_SERVER_OBSERVER_H_

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>

#include "core/base/resource_ledger.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

class ServerObserver {
 public:
  ServerObserver(std::string host, int port, std::string api_key);

  // The ledger from GET /metrics; nullopt when the server has no such
  // route or its answer has no "resources" object. Once the server has
  // answered without one, it is not asked again.
  std::optional<LedgerSnapshot> Ledger() const;

  // PSS of `pid` in bytes (RSS when smaps_rollup cannot be read); nullopt
  // when the process cannot be read at all.
  static std::optional<double> MemoryBytes(pid_t pid);

  // "asan" or "tsan" when the program `pid` runs was built with that
  // sanitizer (its runtime's name is in /proc/<pid>/exe), else "". A
  // sanitizer's quarantine, shadow memory and allocator caches make PSS
  // grow for reasons that are not the program's leaks.
  static std::string SanitizerOf(pid_t pid);

  // True when the program `pid` runs has libtcmalloc mapped (a heapprof
  // build, or any server linked with gperftools' tcmalloc).
  static bool UsesTcmalloc(pid_t pid);

  // The heap kind (thresholds.h) for a server's PSS: "pss" (glibc malloc
  // and others), "pss-tcmalloc" (tcmalloc's caches settle later), or
  // "pss-sanitizer" for a sanitizer build (recorded, not judged).
  static std::string PssKind(pid_t pid);

  // Whether host:port answers as a goose-api compatible server: GET
  // /sessions/list with the key answers 200 with a JSON object (our
  // goose-api and its kind), or GET /extensions/list answers 200 with
  // {"extensions": [...]} (the original goose-api, which lists no sessions).
  // Unavailable when nothing answers; Unauthenticated when the key is
  // refused (401); InvalidArgument naming what answered otherwise.
  static Status CheckGooseApi(const std::string& host, int port, const std::string& api_key);

  // The body of GET /metrics when it is a JSON object but not our ledger
  // (e.g. the original goose-api's {"session_messages", "active_sessions",
  // "pending_requests"}); nullopt otherwise. For the report, as it is.
  std::optional<Json> ForeignMetrics() const;

  // Regular files and their bytes directly in `dir`, temporary files
  // included; nullopt when `dir` is empty or cannot be listed.
  static std::optional<Target::SessionFiles> CountFiles(const std::filesystem::path& dir);

 private:
  const std::string host_;
  const int port_;
  const std::string api_key_;
  mutable std::atomic<bool> no_metrics_{false};
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_SERVER_OBSERVER_H_
