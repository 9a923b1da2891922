#include "core/providers/sse_parser.h"

#include <algorithm>
#include <cstring>

#include "core/base/failpoint.h"

namespace goose {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// A pending-line buffer that once held a huge line is given back rather than
// kept for the life of the stream.
constexpr size_t kKeepCapacityBytes = 64 << 10;

// Index of the first "\r" or "\n" in bytes[from, size), or size.
size_t FindLineEnd(std::string_view bytes, size_t from) {
  const char* begin = bytes.data() + from;
  const char* end = bytes.data() + bytes.size();
  const char* p = std::find_if(begin, end, [](char c) { return c == '\n' || c == '\r'; });
  return static_cast<size_t>(p - bytes.data());
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

SseParser::SseParser(Limits limits) : limits_(limits) {
  // raise_sse_line: the line limit loosened 4x (its events' limit is not),
  // for the canary that proves the SSE line gates fail on a raised limit.
  limits_.max_line_bytes = RaisedLimit(Failpoint::kRaiseSseLine, limits_.max_line_bytes);
}

Status SseParser::Fail(std::string message) {
  status_ = Status(StatusCode::kResourceExhausted, "SSE stream: " + std::move(message));
  line_.clear();
  data_.clear();
  event_.clear();
  return status_;
}

Status SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* events) {
  if (!status_.ok()) return status_;
  size_t pos = 0;
  if (skip_lf_ && !bytes.empty()) {
    if (bytes[0] == '\n') pos = 1;  // the "\n" of a "\r\n" split across slices
    skip_lf_ = false;
  }
  while (pos < bytes.size()) {
    const size_t end = FindLineEnd(bytes, pos);
    const size_t n = end - pos;
    if (line_.size() + n > limits_.max_line_bytes && !FailpointOn(Failpoint::kLiftSseLine)) {
      return Fail("a line is longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
    }
    if (end == bytes.size()) {  // the line continues in the next slice
      line_.append(bytes.data() + pos, n);
      return Status::Ok();
    }
    Status s;
    if (line_.empty()) {
      s = ProcessLine(bytes.substr(pos, n), events);  // whole line in this slice: no copy
    } else {
      line_.append(bytes.data() + pos, n);
      s = ProcessLine(line_, events);
      line_.clear();
      if (line_.capacity() > kKeepCapacityBytes) std::string().swap(line_);
    }
    if (!s.ok()) return s;
    if (bytes[end] == '\r') {
      if (end + 1 == bytes.size()) {
        skip_lf_ = true;
        return Status::Ok();
      }
      pos = end + (bytes[end + 1] == '\n' ? 2 : 1);
    } else {
      pos = end + 1;
    }
  }
  return Status::Ok();
}

Status SseParser::ProcessLine(std::string_view line, std::vector<SseEvent>* events) {
  if (at_stream_start_) {
    at_stream_start_ = false;
    if (line.substr(0, kByteOrderMark.size()) == kByteOrderMark) line.remove_prefix(3);
  }
  if (line.empty()) {  // dispatch
    has_fields_ = false;
    if (data_.empty()) {
      event_.clear();
      return Status::Ok();
    }
    data_.pop_back();  // the "\n" after the last data line
    events->push_back(SseEvent{std::move(event_), std::move(data_), last_id_});
    event_.clear();
    data_.clear();
    return Status::Ok();
  }
  if (line.front() == ':') return Status::Ok();  // comment

  std::string_view field = line;
  std::string_view value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (data_.size() + value.size() + 1 > limits_.max_event_bytes) {
      return Fail("an event's data is longer than " + std::to_string(limits_.max_event_bytes) +
                  " bytes");
    }
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  } else if (field == "retry") {
    if (AllDigits(value) && value.size() <= 12) retry_ms_ = std::stoll(std::string(value));
  }
  return Status::Ok();
}

}  // namespace goose
