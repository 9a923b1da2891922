// Agent: goose's reply loop over a provider and a tool set.
//
// One agent per session. Reply() runs the loop
//   assistant message -> (tool requests? dispatch each, add a user message
//   of tool responses) -> next assistant message -> ...
// until an assistant message asks for no tool, or `max_turns` provider
// calls were made. The reply is itself a multi-message stream
// (AgentReply): the server drains it to the end every time.
//
// An agent owns its tool set (and so its extension processes): destroying
// the agent stops them. It does not own its provider.

#ifndef GOOSE_CORE_AGENT_AGENT_H_
#define GOOSE_CORE_AGENT_AGENT_H_

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/resource_ledger.h"
#include "core/base/thread_annotations.h"
#include "core/model/message.h"
#include "core/model/provider.h"
#include "core/model/tool_set.h"

namespace goose {

struct AgentOptions {
  int max_turns = 25;         // provider calls per reply
  std::string system_prompt;  // sent with every provider call
  ReplyLimits limits;         // bytes and tool calls one reply may hold
};

// One reply of an agent, pulled message by message: the assistant messages
// and the user messages carrying tool responses, in conversation order.
//
// Thread safety: Next() from one thread; Cancel() from any thread.
class AgentReply {
 public:
  AgentReply(const AgentReply&) = delete;
  AgentReply& operator=(const AgentReply&) = delete;
  ~AgentReply();

  // Stores the next new message in *out and returns true; false at the end
  // or on failure (see error()). A turn's assistant message is returned
  // only once the provider's stream for it was drained to its end.
  bool Next(Message* out);

  // Why the reply stopped early: nullopt after a complete reply (including
  // one stopped by max_turns, see hit_max_turns()).
  const std::optional<ProviderError>& error() const { return error_; }
  bool hit_max_turns() const { return hit_max_turns_; }
  // Token usage summed over every provider call of this reply.
  const TokenUsage& usage() const { return usage_; }
  // Provider calls made so far.
  int turns() const { return turns_; }
  // The conversation the reply was started with, followed by the messages
  // it added so far; moved out (the reply must not be used afterwards).
  // Lets the caller lend its conversation instead of copying it.
  std::vector<Message> TakeConversation() { return std::move(conversation_); }

  // Makes a blocked or later Next() return false with a kCancelled error:
  // the provider's stream is cancelled and the tool set interrupted (a call
  // in flight fails at once; the session is ending).
  void Cancel();

 private:
  friend class Agent;
  AgentReply(Provider* provider, ToolSet* tools, const AgentOptions& options,
             std::vector<Message> conversation);

  // Runs one provider call and queues its messages (and tool responses).
  void RunTurn();
  Message CallTools(const std::vector<const ToolRequestContent*>& requests);
  void TakeFirstItemAndKeepStream(std::unique_ptr<ReplyStream> stream);  // failpoint

  Provider* const provider_;
  ToolSet* const tools_;  // may be null: no tools
  const AgentOptions& options_;
  ToolList tool_specs_;
  std::vector<Message> conversation_;  // grows as the reply proceeds
  std::deque<Message> pending_;        // produced, not yet returned by Next()
  std::optional<ProviderError> error_;
  TokenUsage usage_;
  int turns_ = 0;
  size_t reply_bytes_ = 0;  // bytes of every message of this reply so far
  bool done_ = false;
  bool hit_max_turns_ = false;

  std::atomic<bool> cancelled_{false};
  Mutex stream_mu_;  // guards the pointer, so Cancel() can reach the live stream
  ReplyStream* live_stream_ GUARDED_BY(stream_mu_) = nullptr;
};

class Agent {
 public:
  // REQUIRES: `provider` outlives the agent. `tools` may be null.
  Agent(Provider* provider, std::unique_ptr<ToolSet> tools, AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Starts a reply to `conversation`, whose last message is the new user
  // message. REQUIRES: the agent outlives the returned reply.
  std::unique_ptr<AgentReply> Reply(std::vector<Message> conversation);

  // A prose summary of `conversation`, through the provider's one-shot call.
  Result<std::string, ProviderError> Summarize(const std::vector<Message>& conversation,
                                               Cancellation* cancellation = nullptr);

  // A short description (4 words or less) of the session, as goose makes
  // after the first and the third user message.
  Result<std::string, ProviderError> Describe(const std::vector<Message>& conversation,
                                              Cancellation* cancellation = nullptr);

  ToolSet* tools() { return tools_.get(); }
  Provider* provider() { return provider_; }

 private:
  // First member: counted out only after everything below is freed.
  LedgerEntry counted_{Gauge::kAgents};
  Provider* const provider_;
  std::unique_ptr<ToolSet> tools_;
  const AgentOptions options_;
};

// The conversation as plain text ("user: ...\nassistant: ..."), tool calls
// and results included in short form; what one-shot prompts are built on.
std::string Transcript(const std::vector<Message>& conversation);

// The conversation that replaces a summarized one: the summary as a user
// message marked with summarizationRequested content.
std::vector<Message> SummarizedConversation(const std::string& summary);

}  // namespace goose

#endif  // GOOSE_CORE_AGENT_AGENT_H_
