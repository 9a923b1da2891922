// McpLine: what one stdout line of an MCP server is, decided without a process.
//
// McpClient reads newline-delimited JSON-RPC 2.0 from a child; the decision
// of what a line means lives here, as a pure function, so the fuzzer and
// unit tests reach it without spawning anything:
//
//   kBlank          only spaces, tabs and "\r": ignored
//   kMalformed      not JSON, or JSON that is not an object: skipped
//   kNotification   a "method" string and no (or a null) "id"
//   kServerRequest  a "method" string and a non-null "id": the client answers
//   kResponse       an "id" and a "result" or "error" member; response_id is
//                   set when the id is an integer (the only ids we send)
//   kNotJsonRpc     any other object: skipped
//
// Never throws, whatever the bytes (invalid UTF-8 included).

#ifndef GOOSE_CORE_EXTENSIONS_MCP_LINE_H_
#define GOOSE_CORE_EXTENSIONS_MCP_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/json.h"

namespace goose {

struct McpLine {
  enum class Kind { kBlank, kMalformed, kNotification, kServerRequest, kResponse, kNotJsonRpc };

  Kind kind = Kind::kBlank;
  Json message;                        // the whole object (every kind but kBlank, kMalformed)
  std::string method;                  // kNotification, kServerRequest
  std::optional<int64_t> response_id;  // kResponse with an integer id
  std::string error;                   // kMalformed: why the line is not an object
};

// Classifies one line (without its "\n").
McpLine ParseMcpLine(std::string_view line);

// The integer "id" of a JSON-RPC response read from the start of a line too
// long to parse (`head`: its first bytes), when its first member after
// "jsonrpc" is the id, as servers write them; nullopt otherwise.
std::optional<int64_t> LeadingResponseId(std::string_view head);

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_MCP_LINE_H_
