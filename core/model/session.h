// A session as goose stores it: a metadata record and the conversation.
//
// The metadata is the first line of goose's `<id>.jsonl` session file:
//   {"working_dir":..,"description":..,"schedule_id":..,"message_count":..,
//    "total_tokens":..,"input_tokens":..,"output_tokens":..,
//    "accumulated_total_tokens":..,"accumulated_input_tokens":..,
//    "accumulated_output_tokens":..}
// Token fields may be null. Fields we do not model are kept in `extra`.

#ifndef GOOSE_CORE_MODEL_SESSION_H_
#define GOOSE_CORE_MODEL_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/model/message.h"

namespace goose {

// Token counts a provider reports for one call; any may be unknown.
struct TokenUsage {
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> total_tokens;
};

struct SessionMetadata {
  std::string working_dir;
  std::string description;
  std::optional<std::string> schedule_id;
  int64_t message_count = 0;
  std::optional<int64_t> total_tokens;
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> accumulated_total_tokens;
  std::optional<int64_t> accumulated_input_tokens;
  std::optional<int64_t> accumulated_output_tokens;
  Json extra = nullptr;  // fields we do not model; null when none (no allocation)

  // As goose does after each reply: the last call's counts replace the
  // current ones, and are added to the accumulated ones (a missing count
  // leaves its accumulated figure as it was).
  void RecordUsage(const TokenUsage& usage);
};

struct Session {
  SessionMetadata metadata;
  std::vector<Message> messages;
};

Json MetadataToJson(const SessionMetadata& metadata);
// goose's reader is lenient: every field may be missing (working_dir and
// description default to empty, counts to zero or null).
Result<SessionMetadata> MetadataFromJson(const Json& json);

// True when a session file's first line holds a message rather than
// metadata (goose accepts files without a metadata line).
bool LooksLikeMessage(const Json& first_line);

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_H_
