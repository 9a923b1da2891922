// Scripts: what the mock LLM answers, turn by turn.
//
// A script is a JSON file (format in mock_provider/README.md) that says, for
// each turn of a conversation, how many assistant messages the reply holds,
// how each message is cut into chunks (text pieces and tool-call argument
// fragments), how long the chunks take, what usage to report, and which
// failure to deliver (HTTP 429/500/400 before the stream, or mid-stream: an
// error frame, an abrupt close, a missing [DONE], a corrupt or duplicated
// frame, a stall). The in-process MockProvider and the mock-llm server play
// the same scripts.
//
// Which turn a request gets depends only on its own conversation (see
// AssistantTurns in turn_cursor.h), so concurrent sessions cannot disturb
// each other. A script with "loop": true wraps around; one without answers
// a conversation past its last turn with a "script exhausted" error, never
// with made-up text.
//
// Everything here is immutable once parsed and is shared (by const
// reference or shared_ptr) between every stream that plays it.

#ifndef GOOSE_MOCK_PROVIDER_SCRIPT_H_
#define GOOSE_MOCK_PROVIDER_SCRIPT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"

namespace goose::mock {

// A tool call the assistant makes; its arguments travel as `fragments`
// pieces of their JSON text.
struct ScriptedToolCall {
  std::string id;  // empty: derived from the seed ("call_<16 hex>")
  std::string name;
  Json arguments = Json::object();
  std::string arguments_json;           // JsonDump(arguments)
  std::vector<uint32_t> fragment_ends;  // byte offsets into arguments_json, one per fragment
};

// One assistant message: text chunks first, then tool-call fragments.
struct ScriptedMessage {
  // Explicit text, cut at `text_chunk_ends` (byte offsets, on UTF-8
  // boundaries). Unset: generated text (seeded words), `generated_chunks`
  // chunks of exactly `generated_chunk_size` bytes.
  std::optional<std::string> text;
  std::vector<uint32_t> text_chunk_ends;
  int64_t generated_chunks = 0;
  int64_t generated_chunk_size = 0;
  std::vector<ScriptedToolCall> tool_calls;

  // Text chunks of this message (explicit or generated).
  int64_t text_chunks() const {
    return text ? static_cast<int64_t>(text_chunk_ends.size()) : generated_chunks;
  }
  // Text chunks plus every argument fragment.
  int64_t chunk_count() const;
};

enum class FailureKind {
  kNone,
  // Before the stream: an HTTP error answer.
  kHttp429,                // rate limited, with Retry-After
  kHttp500,                // server error (status configurable, 5xx)
  kContextLengthExceeded,  // HTTP 400, code "context_length_exceeded"
  // Mid-stream.
  kErrorFrame,      // an error frame after chunk k, then the stream ends
  kAbruptClose,     // the connection closes after chunk k or after t ms
  kNoDone,          // every chunk, then the stream ends without [DONE]
  kCorruptFrame,    // an unparseable frame after chunk k
  kDuplicateFrame,  // chunk k is delivered twice
  kStall,           // nothing more after chunk k until the consumer leaves
};

// The script name of a kind ("http_429", "error_frame", ...).
std::string_view FailureKindName(FailureKind kind);
// True for the kinds answered before any chunk (HTTP errors).
bool IsPreStreamFailure(FailureKind kind);

struct ScriptedFailure {
  FailureKind kind = FailureKind::kNone;
  int64_t after_chunk = 0;          // chunks delivered before the failure
  std::optional<int64_t> after_ms;  // kAbruptClose by time instead
  int64_t retry_after_s = 1;        // kHttp429
  int64_t status = 500;             // kHttp500
  int64_t keepalive_ms = 50;        // kStall: ": keep-alive" interval; 0 = silent
  std::string message;              // error text; empty = a default per kind
  std::string code;                 // kErrorFrame: error code ("server_error")
};

// The failure's error text: its scripted "message", else a default that
// names the kind and where it falls.
std::string FailureMessage(const ScriptedFailure& failure);

// Token counts to report; unset fields are derived (see README).
struct ScriptedUsage {
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> total_tokens;
};

struct ScriptedTurn {
  int64_t time_to_first_chunk_ms = 0;
  int64_t chunk_delay_ms = 0;
  int64_t jitter_ms = 0;  // seeded extra delay in [0, jitter_ms] per chunk
  std::vector<ScriptedMessage> messages;
  std::optional<ScriptedUsage> usage;
  ScriptedFailure failure;

  // Scripted chunks over every message (text chunks and fragments).
  int64_t chunk_count() const;
};

struct Script {
  std::string name;
  std::optional<uint64_t> seed;  // unset: the provider's / server's seed
  bool loop = false;
  std::vector<ScriptedTurn> turns;
};

// Parses a script. `default_name` names it when the JSON has no "name".
// Errors are InvalidArgument naming the field, e.g.
// "turns[2].messages[0].chunks must be a positive integer".
Result<Script> ParseScript(const Json& json, std::string_view default_name);

// Reads and parses a script file; the default name is the file's stem.
// Errors start with the path: "<path>: turns[0].failure.kind must be one of ...".
Result<Script> LoadScriptFile(const std::filesystem::path& path);

// The built-in script: loops one turn of three messages of four generated
// chunks (8 bytes) each. Served when a request names no other script.
Script DefaultScript();

// A set of scripts by name, with a default. A script named "default"
// replaces the built-in one.
class ScriptLibrary {
 public:
  ScriptLibrary();

  // REQUIRES: no script of that name was added before (else InvalidArgument).
  Status Add(Script script);

  // The script called `name`, or null.
  std::shared_ptr<const Script> Find(std::string_view name) const;
  std::shared_ptr<const Script> Default() const { return default_; }
  // Every script, the default included, by name.
  std::vector<std::shared_ptr<const Script>> All() const;

 private:
  std::shared_ptr<const Script> default_;
  std::map<std::string, std::shared_ptr<const Script>, std::less<>> by_name_;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_SCRIPT_H_
