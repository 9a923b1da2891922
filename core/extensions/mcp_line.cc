#include "core/extensions/mcp_line.h"

#include <algorithm>
#include <charconv>

namespace goose {

McpLine ParseMcpLine(std::string_view line) {
  McpLine out;
  const bool blank = std::all_of(line.begin(), line.end(),
                                 [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
  if (blank) return out;
  Result<Json> parsed = JsonParse(line, "stdout line");
  if (!parsed.ok() || !parsed->is_object()) {
    out.kind = McpLine::Kind::kMalformed;
    out.error = parsed.ok() ? "not a JSON object" : parsed.status().message();
    return out;
  }
  out.message = std::move(*parsed);
  const Json& m = out.message;
  auto method = m.find("method");
  auto id = m.find("id");
  const bool has_id = id != m.end() && !id->is_null();
  if (method != m.end() && method->is_string()) {
    out.method = method->get<std::string>();
    out.kind = has_id ? McpLine::Kind::kServerRequest : McpLine::Kind::kNotification;
    return out;
  }
  if (has_id && (m.contains("result") || m.contains("error"))) {
    out.kind = McpLine::Kind::kResponse;
    if (id->is_number_integer()) out.response_id = id->get<int64_t>();
    return out;
  }
  out.kind = McpLine::Kind::kNotJsonRpc;
  return out;
}

std::optional<int64_t> LeadingResponseId(std::string_view head) {
  head = head.substr(0, 256);
  const size_t at = head.find("\"id\":");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = head.substr(at + 5);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  // A response, not a request from the server: no "method" before the id.
  if (head.substr(0, at).find("\"method\"") != std::string_view::npos) return std::nullopt;
  return id;
}

}  // namespace goose
