// Fuzzes the MCP stdio reader below the process: a child's stdout bytes go
// through LineSplitter (fed in slices chosen by the input, with a small line
// limit) and each line through ParseMcpLine, the function McpClient uses to
// decide what a line is.
//
// Invariants: the splitter never holds more than its limit, slicing never
// changes the lines, every line is classified without a crash or throw, and
// the classification is consistent with the JSON it kept.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/extensions/line_splitter.h"
#include "core/extensions/mcp_line.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr size_t kMaxLine = 512;

struct Line {
  std::string text;
  size_t dropped;
  bool operator==(const Line&) const = default;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace goose;
  FuzzedDataProvider in(data, size);
  std::vector<size_t> cuts;
  const size_t ncuts = in.ConsumeIntegralInRange<size_t>(0, 16);
  for (size_t i = 0; i < ncuts; ++i) cuts.push_back(in.ConsumeIntegralInRange<size_t>(1, 64));
  const std::string stream = in.ConsumeRemainingBytesAsString();

  auto collect = [](std::vector<Line>* out) {
    return [out](std::string_view line, size_t dropped) {
      out->push_back(Line{std::string(line), dropped});
    };
  };
  std::vector<Line> whole_lines;
  LineSplitter whole(kMaxLine);
  whole.Feed(stream, collect(&whole_lines));
  whole.Finish(collect(&whole_lines));

  std::vector<Line> sliced_lines;
  LineSplitter sliced(kMaxLine);
  size_t pos = 0;
  for (size_t i = 0; pos < stream.size(); ++i) {
    const size_t take =
        std::min(stream.size() - pos, cuts.empty() ? size_t{1} : cuts[i % cuts.size()]);
    sliced.Feed(std::string_view(stream).substr(pos, take), collect(&sliced_lines));
    pos += take;
  }
  sliced.Finish(collect(&sliced_lines));
  FUZZ_CHECK(whole.high_water() <= kMaxLine && sliced.high_water() <= kMaxLine,
             "the reader's memory is bounded");
  FUZZ_CHECK(whole_lines == sliced_lines, "slicing does not change the lines");

  for (const Line& line : whole_lines) {
    FUZZ_CHECK(line.text.size() <= kMaxLine, "a delivered line is cut to the limit");
    if (line.dropped > 0) continue;  // McpClient skips an over-long line unread
    McpLine parsed = ParseMcpLine(line.text);
    switch (parsed.kind) {
      case McpLine::Kind::kBlank:
      case McpLine::Kind::kMalformed:
        FUZZ_CHECK(parsed.message.is_null(), "nothing kept of an unusable line");
        break;
      case McpLine::Kind::kNotification:
      case McpLine::Kind::kServerRequest:
        FUZZ_CHECK(parsed.message["method"] == parsed.method, "the method is the message's");
        (void)JsonDump(parsed.message);  // the answer/log path dumps it
        break;
      case McpLine::Kind::kResponse:
        FUZZ_CHECK(parsed.message.contains("id"), "a response has an id");
        (void)JsonDump(parsed.message["id"]);
        break;
      case McpLine::Kind::kNotJsonRpc:
        FUZZ_CHECK(parsed.message.is_object(), "an object was read");
        (void)JsonDump(parsed.message);
        break;
    }
  }
  return 0;
}
