// SseParser: Server-Sent Events, parsed incrementally.
//
// An HTTP client hands over the body of a `text/event-stream` response in
// whatever slices the network delivers: a slice may end inside a line,
// between the "\r" and "\n" of a line end, or inside a multi-byte UTF-8
// character. The parser keeps the unfinished line and event between calls
// and reports each event once its terminating blank line has arrived, as the
// WHATWG HTML spec ("Parsing an event stream") describes:
//
//   - lines end with "\r\n", "\n" or "\r";
//   - a line starting with ":" is a comment and is ignored;
//   - "field: value" (one space after the colon is dropped; a line without a
//     colon is a field with an empty value); "data" lines are joined with
//     "\n", "event" names the event, "id" sets the last event id, "retry"
//     sets the reconnection time, other fields are ignored;
//   - a blank line dispatches the event, unless it has no data;
//   - a UTF-8 byte order mark at the very start is skipped.
//
// Bytes are never decoded, only split at "\r" and "\n" (which never occur
// inside a UTF-8 sequence), so a character split across slices arrives
// whole. The parser copies a byte at most once into its pending line and
// once into the event's data; it allocates per event, never per byte.
//
// Garbage must not crash it or make it grow without bound (it is fuzzed):
// a pending line longer than `max_line_bytes`, or an event whose data grows
// past `max_event_bytes`, makes Feed() fail with ResourceExhausted. After a
// failure the parser stays failed and returns the same error.
//
// Not thread-safe: one parser per stream, used by one thread.

#ifndef GOOSE_CORE_PROVIDERS_SSE_PARSER_H_
#define GOOSE_CORE_PROVIDERS_SSE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"

namespace goose {

struct SseEvent {
  std::string event;  // the "event" field; empty means the default type "message"
  std::string data;   // "data" lines joined with "\n" (no trailing newline)
  std::string id;     // the last event id seen so far in the stream

  bool operator==(const SseEvent&) const = default;
};

class SseParser {
 public:
  struct Limits {
    // One line (field name and value) may not exceed this. An OpenAI chunk
    // is a few hundred bytes; a large tool-call argument fragment a few KiB.
    size_t max_line_bytes = 1 << 20;
    // The joined data of one event may not exceed this.
    size_t max_event_bytes = 4 << 20;
  };

  SseParser() : SseParser(Limits{}) {}
  explicit SseParser(Limits limits);

  // Parses `bytes` (any slice of the stream) and appends every event it
  // completes to *events, in order. Returns ResourceExhausted when a limit
  // is exceeded (events completed before the offending line are still
  // appended); the parser then stays failed.
  Status Feed(std::string_view bytes, std::vector<SseEvent>* events);

  // Bytes held for an unfinished line or event (for the resource ledger).
  size_t buffered_bytes() const { return line_.size() + data_.size() + event_.size(); }

  // True when an event has started (a field line was read) but its blank
  // line has not arrived. At the end of a stream such an event is dropped,
  // as the spec says; callers use this to say the stream was cut.
  bool HasPartialEvent() const { return !line_.empty() || has_fields_; }

  // The last "retry" value in milliseconds, if any.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }

  // The error Feed() returned, or OK.
  const Status& status() const { return status_; }

 private:
  // Handles one complete line (without its line end).
  Status ProcessLine(std::string_view line, std::vector<SseEvent>* events);
  Status Fail(std::string message);

  Limits limits_;
  std::string line_;   // the unfinished line carried over from the last slice
  std::string data_;   // data of the event being built, each line followed by "\n"
  std::string event_;  // event name of the event being built
  std::string last_id_;
  std::optional<int64_t> retry_ms_;
  bool has_fields_ = false;  // a field line belongs to the event being built
  bool skip_lf_ = false;     // the last slice ended with "\r": drop a leading "\n"
  bool at_stream_start_ = true;
  Status status_;
};

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_SSE_PARSER_H_
