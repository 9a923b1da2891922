#include "mock_provider/script.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "core/base/file_io.h"

namespace goose::mock {
namespace {

constexpr int64_t kDefaultGeneratedChunks = 4;
constexpr int64_t kDefaultChunkSize = 8;

// Reads the fields of one JSON object of a script; the first error wins and
// names the field by its full path ("turns[2].messages[0].chunks").
class Fields {
 public:
  Fields(const Json& json, std::string path, Status* status)
      : json_(json), path_(std::move(path)), status_(status) {
    if (!json_.is_object())
      Fail((path_.empty() ? std::string("script") : path_) + " must be an object");
  }

  bool ok() const { return status_->ok(); }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  void Fail(std::string message) {
    if (status_->ok()) *status_ = InvalidArgument(std::move(message));
  }

  // The value of `key`, or null when absent (or after an error).
  const Json* Get(std::string_view key) const {
    if (!ok() || !json_.is_object()) return nullptr;
    auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
  }
  bool Has(std::string_view key) const { return Get(key) != nullptr; }

  std::optional<int64_t> Integer(std::string_view key, int64_t min) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer() || v->get<int64_t>() < min) {
      Fail(PathOf(key) +
           (min > 0 ? " must be a positive integer" : " must be a non-negative integer"));
      return std::nullopt;
    }
    return v->get<int64_t>();
  }
  int64_t Integer(std::string_view key, int64_t min, int64_t fallback) {
    return Integer(key, min).value_or(fallback);
  }

  std::optional<bool> Bool(std::string_view key) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      Fail(PathOf(key) + " must be true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // A string; `non_empty` rejects "".
  std::optional<std::string> String(std::string_view key, bool non_empty) {
    const Json* v = Get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string() || (non_empty && v->get_ref<const std::string&>().empty())) {
      Fail(PathOf(key) + (non_empty ? " must be a non-empty string" : " must be a string"));
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  const Json* Array(std::string_view key) {
    const Json* v = Get(key);
    if (v != nullptr && !v->is_array()) {
      Fail(PathOf(key) + " must be an array");
      return nullptr;
    }
    return v;
  }

  const Json* Object(std::string_view key) {
    const Json* v = Get(key);
    if (v != nullptr && !v->is_object()) {
      Fail(PathOf(key) + " must be an object");
      return nullptr;
    }
    return v;
  }

  // Fails on the first key not in `allowed` (a typo must not pass silently).
  void RejectUnknown(std::initializer_list<std::string_view> allowed, std::string_view why = {}) {
    if (!ok() || !json_.is_object()) return;
    for (auto it = json_.begin(); it != json_.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        Fail(PathOf(it.key()) + (why.empty() ? std::string(" is not a known field")
                                             : " does not apply to " + std::string(why)));
        return;
      }
    }
  }

 private:
  const Json& json_;
  std::string path_;
  Status* status_;
};

std::string Indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Byte offsets at which each code point of `s` starts, plus s.size().
std::vector<uint32_t> CodePointStarts(const std::string& s) {
  std::vector<uint32_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      starts.push_back(static_cast<uint32_t>(i));
  }
  starts.push_back(static_cast<uint32_t>(s.size()));
  return starts;
}

// Ends of `n` pieces of near-equal code point counts.
// REQUIRES: 1 <= n <= code points of s.
std::vector<uint32_t> SplitInto(const std::string& s, int64_t n) {
  const std::vector<uint32_t> starts = CodePointStarts(s);
  const size_t cps = starts.size() - 1;
  std::vector<uint32_t> ends;
  ends.reserve(static_cast<size_t>(n));
  for (int64_t i = 1; i <= n; ++i) {
    ends.push_back(starts[static_cast<size_t>(i) * cps / static_cast<size_t>(n)]);
  }
  return ends;
}

// Ends of pieces of at least `size` bytes (the last may be shorter), cut on
// code point boundaries.
std::vector<uint32_t> SplitBySize(const std::string& s, int64_t size) {
  const std::vector<uint32_t> starts = CodePointStarts(s);
  std::vector<uint32_t> ends;
  uint32_t piece_start = 0;
  for (size_t i = 1; i < starts.size(); ++i) {
    if (starts[i] - piece_start >= size || i + 1 == starts.size()) {
      ends.push_back(starts[i]);
      piece_start = starts[i];
    }
  }
  return ends;
}

size_t CodePoints(const std::string& s) { return CodePointStarts(s).size() - 1; }

void ParseToolCall(const Json& json, const std::string& path, ScriptedToolCall* call,
                   Status* status) {
  Fields f(json, path, status);
  f.RejectUnknown({"id", "name", "arguments", "fragments"});
  call->id = f.String("id", true).value_or("");
  if (!f.Has("name")) f.Fail(f.PathOf("name") + " is missing");
  call->name = f.String("name", true).value_or("");
  if (const Json* args = f.Object("arguments")) call->arguments = *args;
  const int64_t fragments = f.Integer("fragments", 1, 1);
  if (!f.ok()) return;
  call->arguments_json = JsonDump(call->arguments);
  const size_t cps = CodePoints(call->arguments_json);
  if (static_cast<size_t>(fragments) > cps) {
    f.Fail(f.PathOf("fragments") + " must be at most " + std::to_string(cps) +
           " (the length of the arguments JSON " + call->arguments_json + ")");
    return;
  }
  call->fragment_ends = SplitInto(call->arguments_json, fragments);
}

void ParseMessage(const Json& json, const std::string& path, ScriptedMessage* msg, Status* status) {
  Fields f(json, path, status);
  f.RejectUnknown({"text", "chunks", "chunk_size", "tool_calls"});
  const std::optional<int64_t> chunks = f.Integer("chunks", 1);
  const std::optional<int64_t> chunk_size = f.Integer("chunk_size", 1);
  const Json* tools = f.Array("tool_calls");
  if (f.Has("text")) {
    msg->text = f.String("text", true);
    if (!f.ok()) return;
    if (chunks && chunk_size) {
      f.Fail(path + " sets both chunks and chunk_size; with text give one of them");
      return;
    }
    const size_t cps = CodePoints(*msg->text);
    if (chunks && static_cast<size_t>(*chunks) > cps) {
      f.Fail(f.PathOf("chunks") + " must be at most " + std::to_string(cps) +
             " (the number of characters of text)");
      return;
    }
    msg->text_chunk_ends = chunks ? SplitInto(*msg->text, *chunks)
                                  : SplitBySize(*msg->text, chunk_size.value_or(kDefaultChunkSize));
  } else if (chunks || chunk_size || tools == nullptr || tools->empty()) {
    msg->generated_chunks = chunks.value_or(kDefaultGeneratedChunks);
    msg->generated_chunk_size = chunk_size.value_or(kDefaultChunkSize);
  }
  if (tools != nullptr) {
    for (size_t i = 0; i < tools->size() && f.ok(); ++i) {
      ScriptedToolCall call;
      ParseToolCall((*tools)[i], Indexed(f.PathOf("tool_calls"), i), &call, status);
      msg->tool_calls.push_back(std::move(call));
    }
  }
}

std::optional<FailureKind> FailureKindFromName(std::string_view name) {
  for (FailureKind k :
       {FailureKind::kHttp429, FailureKind::kHttp500, FailureKind::kContextLengthExceeded,
        FailureKind::kErrorFrame, FailureKind::kAbruptClose, FailureKind::kNoDone,
        FailureKind::kCorruptFrame, FailureKind::kDuplicateFrame, FailureKind::kStall}) {
    if (FailureKindName(k) == name) return k;
  }
  return std::nullopt;
}

void ParseFailure(const Json& json, const std::string& path, int64_t turn_chunks,
                  ScriptedFailure* failure, Status* status) {
  Fields f(json, path, status);
  if (!f.Has("kind")) f.Fail(f.PathOf("kind") + " is missing");
  const std::string kind_name = f.String("kind", true).value_or("");
  if (!f.ok()) return;
  const std::optional<FailureKind> kind = FailureKindFromName(kind_name);
  if (!kind) {
    f.Fail(f.PathOf("kind") +
           " must be one of http_429, http_500, context_length_exceeded, error_frame, "
           "abrupt_close, no_done, corrupt_frame, duplicate_frame, stall (got \"" +
           kind_name + "\")");
    return;
  }
  failure->kind = *kind;
  const std::string why = "kind " + kind_name;
  switch (*kind) {
    case FailureKind::kHttp429:
      f.RejectUnknown({"kind", "retry_after_s", "message"}, why);
      break;
    case FailureKind::kHttp500:
      f.RejectUnknown({"kind", "status", "message"}, why);
      break;
    case FailureKind::kContextLengthExceeded:
      f.RejectUnknown({"kind", "message"}, why);
      break;
    case FailureKind::kErrorFrame:
      f.RejectUnknown({"kind", "after_chunk", "message", "code"}, why);
      break;
    case FailureKind::kAbruptClose:
      f.RejectUnknown({"kind", "after_chunk", "after_ms"}, why);
      break;
    case FailureKind::kNoDone:
      f.RejectUnknown({"kind"}, why);
      break;
    case FailureKind::kCorruptFrame:
      f.RejectUnknown({"kind", "after_chunk"}, why);
      break;
    case FailureKind::kDuplicateFrame:
      f.RejectUnknown({"kind", "after_chunk"}, why);
      break;
    case FailureKind::kStall:
      f.RejectUnknown({"kind", "after_chunk", "keepalive_ms"}, why);
      break;
    case FailureKind::kNone:
      break;
  }
  failure->retry_after_s = f.Integer("retry_after_s", 0, 1);
  failure->status = f.Integer("status", 0, 500);
  if (f.ok() && (failure->status < 500 || failure->status > 599)) {
    f.Fail(f.PathOf("status") + " must be between 500 and 599");
  }
  failure->keepalive_ms = f.Integer("keepalive_ms", 0, 50);
  failure->message = f.String("message", false).value_or("");
  failure->code = f.String("code", true).value_or("server_error");
  failure->after_ms = f.Integer("after_ms", 0);
  const int64_t min_chunk = *kind == FailureKind::kDuplicateFrame ? 1 : 0;
  failure->after_chunk = f.Integer("after_chunk", min_chunk, min_chunk);
  if (!f.ok()) return;
  if (failure->after_ms && f.Has("after_chunk")) {
    f.Fail(path + " sets both after_chunk and after_ms; give one of them");
  } else if (!IsPreStreamFailure(*kind) && failure->after_chunk > turn_chunks) {
    f.Fail(f.PathOf("after_chunk") + " must be at most " + std::to_string(turn_chunks) +
           " (the turn's chunk count)");
  }
  if (*kind == FailureKind::kNoDone) failure->after_chunk = turn_chunks;
}

void ParseUsage(const Json& json, const std::string& path, ScriptedUsage* usage, Status* status) {
  Fields f(json, path, status);
  f.RejectUnknown({"input_tokens", "output_tokens", "total_tokens"});
  usage->input_tokens = f.Integer("input_tokens", 0);
  usage->output_tokens = f.Integer("output_tokens", 0);
  usage->total_tokens = f.Integer("total_tokens", 0);
}

void ParseTurn(const Json& json, const std::string& path, ScriptedTurn* turn, Status* status) {
  Fields f(json, path, status);
  f.RejectUnknown(
      {"time_to_first_chunk_ms", "chunk_delay_ms", "jitter_ms", "messages", "usage", "failure"});
  turn->time_to_first_chunk_ms = f.Integer("time_to_first_chunk_ms", 0, 0);
  turn->chunk_delay_ms = f.Integer("chunk_delay_ms", 0, 0);
  turn->jitter_ms = f.Integer("jitter_ms", 0, 0);
  const Json* messages = f.Array("messages");
  if (messages != nullptr) {
    for (size_t i = 0; i < messages->size() && f.ok(); ++i) {
      ScriptedMessage msg;
      ParseMessage((*messages)[i], Indexed(f.PathOf("messages"), i), &msg, status);
      turn->messages.push_back(std::move(msg));
    }
  }
  if (const Json* usage = f.Object("usage")) {
    turn->usage.emplace();
    ParseUsage(*usage, f.PathOf("usage"), &*turn->usage, status);
  }
  if (const Json* failure = f.Object("failure")) {
    ParseFailure(*failure, f.PathOf("failure"), turn->chunk_count(), &turn->failure, status);
  }
  if (!f.ok()) return;
  if (IsPreStreamFailure(turn->failure.kind)) {
    if (!turn->messages.empty()) {
      f.Fail(f.PathOf("messages") + " must be empty for failure kind " +
             std::string(FailureKindName(turn->failure.kind)) + " (it answers before any chunk)");
    }
  } else if (turn->messages.empty()) {
    f.Fail(f.PathOf("messages") + (messages == nullptr ? " is missing" : " must not be empty"));
  }
}

}  // namespace

int64_t ScriptedMessage::chunk_count() const {
  int64_t n = text_chunks();
  for (const ScriptedToolCall& call : tool_calls)
    n += static_cast<int64_t>(call.fragment_ends.size());
  return n;
}

int64_t ScriptedTurn::chunk_count() const {
  int64_t n = 0;
  for (const ScriptedMessage& m : messages) n += m.chunk_count();
  return n;
}

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kHttp429:
      return "http_429";
    case FailureKind::kHttp500:
      return "http_500";
    case FailureKind::kContextLengthExceeded:
      return "context_length_exceeded";
    case FailureKind::kErrorFrame:
      return "error_frame";
    case FailureKind::kAbruptClose:
      return "abrupt_close";
    case FailureKind::kNoDone:
      return "no_done";
    case FailureKind::kCorruptFrame:
      return "corrupt_frame";
    case FailureKind::kDuplicateFrame:
      return "duplicate_frame";
    case FailureKind::kStall:
      return "stall";
  }
  return "unknown";
}

std::string FailureMessage(const ScriptedFailure& f) {
  if (!f.message.empty()) return f.message;
  const std::string k = std::to_string(f.after_chunk);
  switch (f.kind) {
    case FailureKind::kHttp429:
      return "Rate limit reached (scripted http_429); retry after " +
             std::to_string(f.retry_after_s) + " s";
    case FailureKind::kHttp500:
      return "The server had an error while processing your request (scripted http_500)";
    case FailureKind::kContextLengthExceeded:
      return "This model's maximum context length is 128000 tokens. However, your messages "
             "resulted in 131072 tokens. Please reduce the length of the messages. (scripted "
             "context_length_exceeded)";
    case FailureKind::kErrorFrame:
      return "scripted error frame after chunk " + k;
    case FailureKind::kAbruptClose:
      return f.after_ms ? "connection closed abruptly after " + std::to_string(*f.after_ms) + " ms"
                        : "connection closed abruptly after chunk " + k;
    case FailureKind::kNoDone:
      return "stream ended without [DONE]";
    case FailureKind::kCorruptFrame:
      return "corrupt frame after chunk " + k;
    case FailureKind::kDuplicateFrame:
      return "duplicated frame of chunk " + k;
    case FailureKind::kStall:
      return "stream stalled after chunk " + k;
    case FailureKind::kNone:
      break;
  }
  return "";
}

bool IsPreStreamFailure(FailureKind kind) {
  return kind == FailureKind::kHttp429 || kind == FailureKind::kHttp500 ||
         kind == FailureKind::kContextLengthExceeded;
}

Result<Script> ParseScript(const Json& json, std::string_view default_name) {
  Status status;
  Script script;
  Fields f(json, "", &status);
  f.RejectUnknown({"name", "description", "seed", "loop", "turns"});
  script.name = f.String("name", true).value_or(std::string(default_name));
  f.String("description", false);
  if (const std::optional<int64_t> seed = f.Integer("seed", 0)) {
    script.seed = static_cast<uint64_t>(*seed);
  }
  script.loop = f.Bool("loop").value_or(false);
  const Json* turns = f.Array("turns");
  if (f.ok() && turns == nullptr) f.Fail("turns is missing");
  if (f.ok() && turns->empty()) f.Fail("turns must not be empty");
  for (size_t i = 0; f.ok() && i < turns->size(); ++i) {
    ScriptedTurn turn;
    ParseTurn((*turns)[i], Indexed("turns", i), &turn, &status);
    script.turns.push_back(std::move(turn));
  }
  if (!status.ok()) return status;
  if (script.name.empty()) return InvalidArgument("name must be a non-empty string");
  return script;
}

Result<Script> LoadScriptFile(const std::filesystem::path& path) {
  Result<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) {
    return InvalidArgument(path.string() + ": cannot read script file (" +
                           bytes.status().message() + ")");
  }
  Result<Json> json = JsonParse(*bytes, path.string());
  if (!json.ok()) return json.status();
  Result<Script> script = ParseScript(*json, path.stem().string());
  if (!script.ok()) return InvalidArgument(path.string() + ": " + script.status().message());
  return script;
}

Script DefaultScript() {
  static const char kDefault[] = R"({
    "name": "default",
    "loop": true,
    "turns": [{"messages": [{"chunks": 4, "chunk_size": 8},
                            {"chunks": 4, "chunk_size": 8},
                            {"chunks": 4, "chunk_size": 8}]}]
  })";
  Result<Script> script = ParseScript(Json::parse(kDefault), "default");
  return std::move(script).value();
}

ScriptLibrary::ScriptLibrary() : default_(std::make_shared<const Script>(DefaultScript())) {}

Status ScriptLibrary::Add(Script script) {
  if (by_name_.count(script.name) != 0) {
    return InvalidArgument("two scripts are named \"" + script.name + "\"");
  }
  auto shared = std::make_shared<const Script>(std::move(script));
  if (shared->name == "default") default_ = shared;
  by_name_.emplace(shared->name, shared);
  return Status::Ok();
}

std::shared_ptr<const Script> ScriptLibrary::Find(std::string_view name) const {
  if (name == "default") return default_;
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Script>> ScriptLibrary::All() const {
  std::vector<std::shared_ptr<const Script>> out;
  if (by_name_.count("default") == 0) out.push_back(default_);
  for (const auto& [name, script] : by_name_) out.push_back(script);
  return out;
}

}  // namespace goose::mock
