// The resource ledger: named gauges of everything the server holds.
//
// Every object that owns a resource (a live reply stream, an agent, a
// session, a child process, buffered bytes, ...) counts itself in on
// construction and out on destruction, through a `LedgerEntry` or
// `LedgerBytes` member, declared first so that it counts out only after
// everything else the object owns has been freed. A leak gate reads the ledger before and after its
// work; `GET /metrics` shows it. The counters are relaxed atomics on their
// own cache lines, so the ledger stays on in release builds (see
// bench/ledger_bench.cc for what an entry costs).
//
// Example:
//   class Agent {
//     LedgerEntry counted_{Gauge::kAgents};
//   };

#ifndef GOOSE_CORE_BASE_RESOURCE_LEDGER_H_
#define GOOSE_CORE_BASE_RESOURCE_LEDGER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

namespace goose {

enum class Gauge : int {
  kLiveStreams = 0,      // ReplyStreams not yet destroyed
  kStreamBufferedBytes,  // bytes buffered inside live streams
  kProviderConnections,  // open HTTP connections to a provider
  kAgents,               // Agent objects
  kSessions,             // live sessions in the registry
  kConversationBytes,    // approximate bytes of conversations held in memory
  kChildProcesses,       // spawned, not yet reaped child processes
  kExtensions,           // running extension clients
  kPendingRequests,      // HTTP requests being handled
  kHttpConnections,      // open client connections of every HttpServer
  kCount,                // not a gauge: the number of gauges
};

inline constexpr int kGaugeCount = static_cast<int>(Gauge::kCount);

// Stable snake_case name of a gauge, as shown in /metrics and reports.
std::string_view GaugeName(Gauge gauge);

// A copy of every gauge at one moment (each gauge read atomically; the set
// is not one atomic cut, which is fine for before/after comparisons).
struct LedgerSnapshot {
  std::array<int64_t, kGaugeCount> values{};

  int64_t operator[](Gauge g) const { return values[static_cast<int>(g)]; }
  // True when every gauge is zero.
  bool AllZero() const;
};

class ResourceLedger {
 public:
  // The process-wide ledger.
  static ResourceLedger& Global();

  ResourceLedger() = default;
  ResourceLedger(const ResourceLedger&) = delete;
  ResourceLedger& operator=(const ResourceLedger&) = delete;

  void Add(Gauge gauge, int64_t delta) {
    cells_[static_cast<int>(gauge)].value.fetch_add(delta, std::memory_order_relaxed);
  }
  int64_t Get(Gauge gauge) const {
    return cells_[static_cast<int>(gauge)].value.load(std::memory_order_relaxed);
  }
  LedgerSnapshot Snapshot() const;

 private:
  struct alignas(64) Cell {
    std::atomic<int64_t> value{0};
  };
  std::array<Cell, kGaugeCount> cells_;
};

// Counts one unit in `gauge` of the global ledger for its lifetime.
// Movable (the count moves with it), not copyable.
class LedgerEntry {
 public:
  explicit LedgerEntry(Gauge gauge) : gauge_(gauge), active_(true) {
    ResourceLedger::Global().Add(gauge_, 1);
  }
  ~LedgerEntry() { Release(); }
  LedgerEntry(LedgerEntry&& other) noexcept
      : gauge_(other.gauge_), active_(std::exchange(other.active_, false)) {}
  LedgerEntry& operator=(LedgerEntry&& other) noexcept {
    if (this != &other) {
      Release();
      gauge_ = other.gauge_;
      active_ = std::exchange(other.active_, false);
    }
    return *this;
  }
  LedgerEntry(const LedgerEntry&) = delete;
  LedgerEntry& operator=(const LedgerEntry&) = delete;

  // Counts out now rather than at destruction. Idempotent.
  void Release() {
    if (active_) ResourceLedger::Global().Add(gauge_, -1);
    active_ = false;
  }

 private:
  Gauge gauge_;
  bool active_;
};

// Counts a variable number of bytes in `gauge` for its lifetime.
class LedgerBytes {
 public:
  explicit LedgerBytes(Gauge gauge) : gauge_(gauge) {}
  ~LedgerBytes() { Set(0); }
  LedgerBytes(const LedgerBytes&) = delete;
  LedgerBytes& operator=(const LedgerBytes&) = delete;

  void Add(int64_t delta) {
    bytes_ += delta;
    ResourceLedger::Global().Add(gauge_, delta);
  }
  void Set(int64_t bytes) { Add(bytes - bytes_); }
  int64_t bytes() const { return bytes_; }

 private:
  Gauge gauge_;
  int64_t bytes_ = 0;
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_RESOURCE_LEDGER_H_
