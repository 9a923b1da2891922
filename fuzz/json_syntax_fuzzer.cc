// Fuzzes JsonSyntax, the checker /session/get runs on every stored line it
// sends (core/base/json_syntax.h).
//
// Invariants: fed in any pieces, it accepts exactly what
// nlohmann::json::accept() accepts, except for its documented bounds (a
// leading byte-order mark, a number longer than kMaxNumberChars, a NUL
// byte outside a string); and
// every refusal says why.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base/json_syntax.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const size_t piece = 1 + in.ConsumeIntegralInRange<size_t>(0, 63);
  const std::string text = in.ConsumeRemainingBytesAsString();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) return 0;  // a BOM: refused on purpose

  goose::JsonSyntax syntax(std::numeric_limits<size_t>::max());
  bool fed = true;
  for (size_t at = 0; at < text.size() && fed; at += piece) {
    fed = syntax.Feed(std::string_view(text).substr(at, piece));
  }
  const bool ours = fed && syntax.Finish();
  if (!ours) FUZZ_CHECK(!syntax.error().empty(), "a refusal without a reason");
  if (!ours && syntax.error() == "a number longer than the limit") return 0;
  // nlohmann ends the text at a NUL byte outside a string; here it is
  // refused (the bytes after it would be sent as they are).
  if (!ours && text.find('\0') != std::string::npos) return 0;
  const bool theirs = nlohmann::json::accept(text);
  FUZZ_CHECK(ours == theirs,
             ours ? "accepted what nlohmann refuses" : "refused what nlohmann accepts");
  return 0;
}
