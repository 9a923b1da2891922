// JSON helpers shared by the core: safe serialisation and a field reader.
//
// `JsonObjectReader` reads the fields of one JSON object with precise error
// messages.
// Each getter records the first error it meets ("content[1].text must be a
// string") and later getters do nothing, so a parser reads every field and
// checks `status()` once. The keys that were not read are `Rest()`, which
// the message model keeps so unknown fields survive a round trip.

#ifndef GOOSE_CORE_BASE_JSON_H_
#define GOOSE_CORE_BASE_JSON_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose {

using Json = nlohmann::json;

// Compact serialisation that never throws: invalid UTF-8 in a string (which
// can arrive from a client or a provider) is replaced by U+FFFD instead of
// raising nlohmann's type_error 316.
std::string JsonDump(const Json& json);

// JsonDump(json) appended to *out, without a string of its own.
void JsonDumpTo(const Json& json, std::string* out);

// JsonDump(Json(text)) appended to *out: `text` quoted and escaped exactly
// as nlohmann writes it (quote, backslash and control characters escaped, other UTF-8
// as is, invalid UTF-8 replaced by U+FFFD), without building a Json.
void JsonStringTo(std::string_view text, std::string* out);

// Parses `text`; a syntax error gives InvalidArgument naming `what` and the
// byte offset. Never throws. The only way JSON enters this program: nothing
// in core calls nlohmann's parser itself (cmake/CheckLayering.cmake).
//
// Nesting is bounded by JsonDepthLimit(): arrays and objects deeper than it
// are refused while parsing (the parser itself keeps no call stack), so no
// value in memory is deeper, and every walk over one (dump, copy, compare,
// destruction) recurses at most that deep.
Result<Json> JsonParse(std::string_view text, std::string_view what);

// The file at `path` read whole (core/base/file_io.h ReadFile) and parsed
// by JsonParse, which names the path in its errors.
Result<Json> ReadJsonFile(const std::filesystem::path& path);

// The nesting JsonParse accepts (GOOSE_API_MAX_JSON_DEPTH). Process-wide:
// set once at start, before any parse.
inline constexpr int kDefaultJsonDepthLimit = 128;
inline constexpr int kMaxJsonDepthLimit = 1000;
int JsonDepthLimit();
void SetJsonDepthLimit(int depth);

// The member `key` of `object` when it is there and not null; else nullptr.
// REQUIRES: `object` is an object.
const Json* NonNullField(const Json& object, const char* key);

class JsonObjectReader {
 public:
  // `path` names the object in messages, e.g. "content[2]"; empty for the root.
  JsonObjectReader(const nlohmann::json& json, std::string path);

  bool Has(const std::string& key) const;
  std::string String(const std::string& key);
  // An absent key or a null gives nullopt.
  std::optional<std::string> OptionalString(const std::string& key);
  int64_t Int(const std::string& key);
  std::optional<int64_t> OptionalInt(const std::string& key);
  const nlohmann::json& Array(const std::string& key);
  const nlohmann::json& Object(const std::string& key);
  // Any JSON value; absent gives `fallback`.
  nlohmann::json Any(const std::string& key, nlohmann::json fallback);

  // Every key not read so far, as an object; null when there is none.
  nlohmann::json Rest() const;
  // A field path for messages: "content[2].text".
  std::string PathOf(const std::string& key) const;

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  void Fail(std::string message);

 private:
  const nlohmann::json* Find(const std::string& key, bool required);

  const nlohmann::json& json_;
  std::string path_;
  std::set<std::string> read_;
  Status status_;
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_JSON_H_
