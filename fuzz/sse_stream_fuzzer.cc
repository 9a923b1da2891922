// Fuzzes the streaming path of OpenAIProvider below the socket: the bytes of
// a `text/event-stream` body go through SseParser in arbitrary slices (the
// split points come from the input) and each event's data through
// OpenAIChunkDecoder.
//
// Invariants: slicing never changes the events (the stream is also fed in
// one piece to a second parser and compared), the parser's memory stays
// within its limits, and the decoder never crashes or throws.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/providers/openai_chunk_decoder.h"
#include "core/providers/sse_parser.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  FuzzedDataProvider in(data, size);
  // Small limits, so that the fuzzer reaches them.
  SseParser::Limits limits;
  limits.max_line_bytes = 2048;
  limits.max_event_bytes = 8192;
  std::vector<size_t> cuts;
  const size_t ncuts = in.ConsumeIntegralInRange<size_t>(0, 16);
  for (size_t i = 0; i < ncuts; ++i) cuts.push_back(in.ConsumeIntegralInRange<size_t>(1, 64));
  const std::string stream = in.ConsumeRemainingBytesAsString();

  SseParser whole(limits);
  std::vector<SseEvent> whole_events;
  const Status whole_status = whole.Feed(stream, &whole_events);

  SseParser sliced(limits);
  std::vector<SseEvent> sliced_events;
  Status sliced_status;
  size_t pos = 0;
  for (size_t i = 0; pos < stream.size() && sliced_status.ok(); ++i) {
    const size_t n = cuts.empty() ? stream.size() : cuts[i % cuts.size()];
    const size_t take = std::min(stream.size() - pos, n);
    sliced_status = sliced.Feed(std::string_view(stream).substr(pos, take), &sliced_events);
    pos += take;
    FUZZ_CHECK(sliced.buffered_bytes() <= limits.max_line_bytes + 2 * limits.max_event_bytes + 2,
               "the parser's memory is bounded");
  }
  FUZZ_CHECK(whole_status.ok() == sliced_status.ok(), "slicing does not change the verdict");
  if (whole_status.ok()) {
    FUZZ_CHECK(whole_events == sliced_events, "slicing does not change the events");
    FUZZ_CHECK(whole.HasPartialEvent() == sliced.HasPartialEvent(), "same partial state");
  }

  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items;
  for (const SseEvent& event : whole_events) {
    if (decoder.Decode(event.data, &items).has_value()) break;  // an error ends the stream
  }
  return 0;
}
