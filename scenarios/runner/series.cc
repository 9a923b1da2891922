#include "scenarios/runner/series.h"

#include <iterator>
#include <sstream>

namespace goose::scenarios {
namespace {

constexpr std::string_view kNames[] = {"heap_bytes",
                                       "rss_bytes",
                                       "live_streams",
                                       "stream_buffered_bytes",
                                       "provider_connections",
                                       "agents",
                                       "sessions",
                                       "conversation_bytes",
                                       "child_processes",
                                       "extensions",
                                       "pending_requests",
                                       "open_fds",
                                       "threads",
                                       "descendants",
                                       "mock_streams_live",
                                       "mock_chunks_unread",
                                       "session_files",
                                       "session_file_bytes"};
static_assert(std::size(kNames) == static_cast<size_t>(kSeriesCount));

}  // namespace

std::string_view SeriesName(Series s) {
  const int i = static_cast<int>(s);
  return i >= 0 && i < kSeriesCount ? kNames[i] : "unknown";
}

SeriesKind KindOf(Series s) {
  switch (s) {
    case Series::kHeapBytes:
      return SeriesKind::kHeap;
    case Series::kRssBytes:
    case Series::kSessionFiles:
    case Series::kSessionFileBytes:
      return SeriesKind::kInfo;
    default:
      return SeriesKind::kCounted;
  }
}

std::string_view SeriesUnit(Series s) {
  switch (s) {
    case Series::kHeapBytes:
    case Series::kRssBytes:
    case Series::kStreamBufferedBytes:
    case Series::kConversationBytes:
    case Series::kSessionFileBytes:
      return "B";
    default:
      return "";
  }
}

std::string FormatValue(double v) {
  std::ostringstream out;
  out.precision(6);
  out << v;
  return out.str();
}

}  // namespace goose::scenarios
