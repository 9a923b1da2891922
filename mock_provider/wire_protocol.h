// The wire protocols mock-llm speaks: what it reads from a request and how
// it writes an answer.
//
// Two protocols serve the same scripts: OpenAI chat completions
// (openai_protocol.h) and Anthropic Messages (anthropic_protocol.h). The
// server (mock_llm_server.h) is protocol-neutral: it parses the request into
// a WireRequest, picks the script and turn, and asks the protocol for error
// answers, a non-streaming body, or a FrameEncoder that turns TurnCursor
// events into SSE frames (driven by SseReply, sse_reply.h).

#ifndef GOOSE_MOCK_PROVIDER_WIRE_PROTOCOL_H_
#define GOOSE_MOCK_PROVIDER_WIRE_PROTOCOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/model/session.h"
#include "mock_provider/script.h"
#include "mock_provider/turn_cursor.h"

namespace goose::mock {

// What the server needs from a chat request, in either protocol.
struct WireRequest {
  std::string model;
  bool stream = false;
  bool include_usage = false;     // OpenAI stream_options.include_usage
  size_t assistant_turns = 0;     // runs of consecutive assistant messages
  std::string first_user_text;    // text of the first user message (seeds the answer)
  size_t text_bytes = 0;          // text in the request (derived input tokens)
  Json messages = Json::array();  // as received, for the journal
  Json tools = Json::array();
  Json system;  // Anthropic's top-level system; null otherwise
};

// The text of a message's "content": a string, or the "text" of each text
// part/block joined by "\n". Anything else gives "".
std::string ContentText(const Json& content);

// A finished turn gathered for a non-streaming answer.
struct CollectedToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text as assembled from the fragments
};
struct CollectedMessage {
  std::string text;
  std::vector<CollectedToolCall> tool_calls;
};
struct CollectedReply {
  std::vector<CollectedMessage> messages;
  int64_t chunks = 0;
};

// An HTTP answer: status, JSON body, extra headers.
struct HttpAnswer {
  int status = 200;
  Json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Turns cursor events into the SSE frames of one protocol. Each method
// appends complete frames to *out.
class FrameEncoder {
 public:
  virtual ~FrameEncoder() = default;
  // Frames due before the first chunk (may be none).
  virtual void Begin(std::string* out) = 0;
  // One chunk; a duplicated event repeats the previous chunk's frame exactly.
  virtual void Chunk(const TurnEvent& event, std::string* out) = 0;
  virtual void MessageEnd(const TurnEvent& event, std::string* out) = 0;
  // After the last message: usage, then the terminator unless `terminate`
  // is false (the no_done failure).
  virtual void Finish(bool terminate, std::string* out) = 0;
  virtual void ErrorFrame(const ScriptedFailure& failure, std::string* out) = 0;
  // A frame whose JSON is cut off mid-way.
  virtual void CorruptFrame(std::string* out) = 0;
};

// Why the server answers with an error.
enum class WireError {
  kBadRequest,             // 400: unparseable request
  kUnknownScript,          // 404: x-mock-script names no script
  kNotFound,               // 404: no such route
  kScriptExhausted,        // 400, code "script_exhausted"
  kRateLimited,            // 429 (scripted)
  kServerError,            // 5xx (scripted, or an error_frame without streaming)
  kContextLengthExceeded,  // 400, code "context_length_exceeded"
};

class WireProtocol {
 public:
  virtual ~WireProtocol() = default;
  virtual std::string_view name() const = 0;  // "openai" / "anthropic"

  // Reads a request body; errors name the field.
  virtual Result<WireRequest> Parse(const Json& body) const = 0;
  // An error answer in the protocol's error shape.
  virtual HttpAnswer Error(WireError error, int status, const std::string& message) const = 0;
  // The frames of one streamed reply. `request_seq` makes ids unique.
  virtual std::unique_ptr<FrameEncoder> NewEncoder(const WireRequest& request, uint64_t request_seq,
                                                   const TokenUsage& usage) const = 0;
  // The whole reply as one non-streaming answer (the messages joined).
  virtual Json ReplyBody(const WireRequest& request, uint64_t request_seq,
                         const CollectedReply& reply, const TokenUsage& usage) const = 0;
  // A non-streaming body that is not valid JSON (corrupt_frame).
  virtual std::string CorruptBody() const = 0;
};

// The SSE frame "data: <json>\n\n", with an "event: <name>" line first when
// `event` is not empty.
void AppendSseFrame(std::string_view event, const Json& data, std::string* out);

// The error a scripted failure answers with: http_429 -> kRateLimited,
// context_length_exceeded (or an error_frame with that code) ->
// kContextLengthExceeded, the rest -> kServerError.
WireError WireErrorOf(const ScriptedFailure& failure);

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_WIRE_PROTOCOL_H_
