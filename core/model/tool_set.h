// ToolSet: the tools an agent can call.
//
// The agent offers `Tools()` to the provider and routes every tool request
// to `Call()`. Tool names are goose's "extension__tool" form. The stdio
// extensions (core/extensions/) implement this over MCP child processes;
// tests use an in-process set.
//
// Thread safety: an agent calls its tool set from one thread at a time (the
// session lock serialises replies), but Interrupt() may come from any
// thread (ending the session, shutdown) and must make a blocked Call()
// return promptly.

#ifndef GOOSE_CORE_MODEL_TOOL_SET_H_
#define GOOSE_CORE_MODEL_TOOL_SET_H_

#include <vector>

#include "core/base/json.h"
#include "core/model/message.h"
#include "core/model/provider.h"

namespace goose {

class ToolSet {
 public:
  virtual ~ToolSet() = default;

  // Every tool on offer now, with prefixed names. Never null. Cheap to call
  // again: an unchanged list is the same shared list.
  virtual ToolList Tools() = 0;

  // Runs one tool call. A failure (unknown tool, crashed extension, timeout,
  // tool error) is an error result, never an exception or a hang past the
  // extension's timeout. Success carries MCP content items.
  virtual ToolResult<std::vector<Json>> Call(const ToolCall& call) = 0;

  // The session is ending: a Call() blocked now, and every later one, fails
  // promptly. Never blocks (what it stops is reaped when the set goes).
  virtual void Interrupt() = 0;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_TOOL_SET_H_
