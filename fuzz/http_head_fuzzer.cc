// Fuzzes HeadFramingError, the RFC 9112 check every request head passes in
// the waiting room before a worker parses it (core/base/http_framing.h).
//
// Invariants: any bytes are judged without a crash or throw; a verdict on a
// prefix that holds a bare LF stands for every longer input (a bare LF is
// refused as soon as it arrives, so the waiting room never waits on it);
// a head without a bare LF and without its blank line is never refused
// (the other rules wait for the whole head); and a refusal always says why.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/http_framing.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const size_t cut = in.ConsumeIntegral<uint16_t>();
  const std::string head = in.ConsumeRemainingBytesAsString();
  const std::optional<std::string> whole = goose::HeadFramingError(head);
  FUZZ_CHECK(!whole || !whole->empty(), "a refusal without a reason");

  const std::string prefix = head.substr(0, std::min(cut, head.size()));
  const std::optional<std::string> early = goose::HeadFramingError(prefix);
  const bool prefix_is_whole = prefix.find("\r\n\r\n") != std::string::npos;
  if (early && !prefix_is_whole) {
    FUZZ_CHECK(early->find("bare LF") != std::string::npos,
               "a head refused before it was whole, for something other than a bare LF");
    FUZZ_CHECK(whole.has_value(), "a bare LF refused in a prefix but not in the whole input");
  }
  return 0;
}
