// The series a leak gate samples after every iteration, and how each is
// judged.
//
// Heap series are judged by their growth slope against a threshold in
// bytes per iteration (thresholds.h); counted series (streams, sessions,
// agents, children, fds, threads, descendants...) have zero tolerance: any
// net growth over the baseline that survives a bounded settle wait fails.
// Info series are recorded for reports and never judged (RSS: the
// allocator keeps freed pages, so it moves for reasons that are not leaks;
// the sessions dir: session files are meant to stay).

#ifndef GOOSE_SCENARIOS_RUNNER_SERIES_H_
#define GOOSE_SCENARIOS_RUNNER_SERIES_H_

#include <string>
#include <string_view>

namespace goose::scenarios {

enum class Series : int {
  kHeapBytes = 0,        // allocator: bytes allocated and not freed
  kRssBytes,             // resident set size (info)
  kLiveStreams,          // ledger: ReplyStreams alive
  kStreamBufferedBytes,  // ledger: bytes buffered in live streams
  kProviderConnections,  // ledger: open provider connections
  kAgents,               // ledger: Agent objects
  kSessions,             // ledger: live sessions
  kConversationBytes,    // ledger: conversation bytes held
  kChildProcesses,       // ledger: spawned, unreaped children
  kExtensions,           // ledger: running extension clients
  kPendingRequests,      // ledger: HTTP requests being handled
  kOpenFds,              // /proc: open file descriptors of the server
  kThreads,              // /proc: threads of the server
  kDescendants,          // every process below the harness (orphans re-parent here)
  kMockStreamsLive,      // mock provider: streams started and not ended
  kMockChunksUnread,     // mock provider: chunks produced and never consumed
  kSessionFiles,         // files in the target's sessions dir (info)
  kSessionFileBytes,     // their bytes (info)
  kCount,
};

inline constexpr int kSeriesCount = static_cast<int>(Series::kCount);

enum class SeriesKind { kHeap, kCounted, kInfo };

// Stable snake_case name, as in reports ("heap_bytes", "live_streams").
std::string_view SeriesName(Series s);
SeriesKind KindOf(Series s);
// "B" for byte series, "" for counts.
std::string_view SeriesUnit(Series s);
// A sample or slope as reports write it: up to 6 significant digits.
std::string FormatValue(double v);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_SERIES_H_
