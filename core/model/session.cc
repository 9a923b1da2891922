#include "core/model/session.h"

#include "core/base/saturating.h"

namespace goose {
namespace {
Json OptionalToJson(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

void Accumulate(std::optional<int64_t>* total, const std::optional<int64_t>& add) {
  if (!add) return;
  *total = SaturatingAdd(total->value_or(0), *add);
}
}  // namespace

void SessionMetadata::RecordUsage(const TokenUsage& usage) {
  total_tokens = usage.total_tokens;
  input_tokens = usage.input_tokens;
  output_tokens = usage.output_tokens;
  Accumulate(&accumulated_total_tokens, usage.total_tokens);
  Accumulate(&accumulated_input_tokens, usage.input_tokens);
  Accumulate(&accumulated_output_tokens, usage.output_tokens);
}

Json MetadataToJson(const SessionMetadata& m) {
  Json out = m.extra.is_object() ? m.extra : Json::object();
  out["working_dir"] = m.working_dir;
  out["description"] = m.description;
  out["schedule_id"] = m.schedule_id ? Json(*m.schedule_id) : Json(nullptr);
  out["message_count"] = m.message_count;
  out["total_tokens"] = OptionalToJson(m.total_tokens);
  out["input_tokens"] = OptionalToJson(m.input_tokens);
  out["output_tokens"] = OptionalToJson(m.output_tokens);
  out["accumulated_total_tokens"] = OptionalToJson(m.accumulated_total_tokens);
  out["accumulated_input_tokens"] = OptionalToJson(m.accumulated_input_tokens);
  out["accumulated_output_tokens"] = OptionalToJson(m.accumulated_output_tokens);
  return out;
}

Result<SessionMetadata> MetadataFromJson(const Json& json) {
  JsonObjectReader r(json, "metadata");
  SessionMetadata m;
  m.working_dir = r.OptionalString("working_dir").value_or("");
  m.description = r.OptionalString("description").value_or("");
  m.schedule_id = r.OptionalString("schedule_id");
  m.message_count = r.OptionalInt("message_count").value_or(0);
  if (m.message_count < 0) r.Fail("metadata.message_count must not be negative");
  m.total_tokens = r.OptionalInt("total_tokens");
  m.input_tokens = r.OptionalInt("input_tokens");
  m.output_tokens = r.OptionalInt("output_tokens");
  m.accumulated_total_tokens = r.OptionalInt("accumulated_total_tokens");
  m.accumulated_input_tokens = r.OptionalInt("accumulated_input_tokens");
  m.accumulated_output_tokens = r.OptionalInt("accumulated_output_tokens");
  if (!r.ok()) return r.status();
  m.extra = r.Rest();
  return m;
}

bool LooksLikeMessage(const Json& first_line) {
  return first_line.is_object() && first_line.contains("role") && first_line.contains("content");
}

}  // namespace goose
