#include "core/base/resource_ledger.h"

namespace goose {

std::string_view GaugeName(Gauge gauge) {
  switch (gauge) {
    case Gauge::kLiveStreams:
      return "live_streams";
    case Gauge::kStreamBufferedBytes:
      return "stream_buffered_bytes";
    case Gauge::kProviderConnections:
      return "provider_connections";
    case Gauge::kAgents:
      return "agents";
    case Gauge::kSessions:
      return "sessions";
    case Gauge::kConversationBytes:
      return "conversation_bytes";
    case Gauge::kChildProcesses:
      return "child_processes";
    case Gauge::kExtensions:
      return "extensions";
    case Gauge::kHttpConnections:
      return "http_connections";
    case Gauge::kPendingRequests:
      return "pending_requests";
    case Gauge::kCount:
      break;
  }
  return "unknown";
}

bool LedgerSnapshot::AllZero() const {
  for (int64_t v : values) {
    if (v != 0) return false;
  }
  return true;
}

ResourceLedger& ResourceLedger::Global() {
  // Never destroyed: objects with static storage may count out after main.
  static ResourceLedger* const ledger = new ResourceLedger();
  return *ledger;
}

LedgerSnapshot ResourceLedger::Snapshot() const {
  LedgerSnapshot s;
  for (int i = 0; i < kGaugeCount; ++i)
    s.values[i] = cells_[i].value.load(std::memory_order_relaxed);
  return s;
}

}  // namespace goose
