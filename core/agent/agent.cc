#include "core/agent/agent.h"

#include <utility>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/base/saturating.h"
#include "core/model/reply_stream.h"

namespace goose {
namespace {

void AddUsage(TokenUsage* total, const std::optional<TokenUsage>& add) {
  if (!add) return;
  auto sum = [](std::optional<int64_t>* t, const std::optional<int64_t>& v) {
    if (v) *t = SaturatingAdd(t->value_or(0), *v);
  };
  sum(&total->input_tokens, add->input_tokens);
  sum(&total->output_tokens, add->output_tokens);
  sum(&total->total_tokens, add->total_tokens);
}

constexpr const char* kSummarizePrompt =
    "Summarize the conversation below so that it can replace the conversation itself: keep every "
    "fact, decision, file name, command and open question the assistant needs to continue the "
    "work. Reply with the summary only.";

constexpr const char* kDescribePrompt =
    "Based on the conversation so far, provide a short description of the session in 4 words or "
    "less. This will be used for finding the session later in a UI with limited space - reply "
    "*ONLY* with the description.";

Result<std::string, ProviderError> OneShot(Provider* provider, const char* instruction,
                                           const std::vector<Message>& conversation,
                                           Cancellation* cancellation) {
  ProviderRequest request;
  request.system = instruction;
  request.cancellation = cancellation;
  request.conversation.push_back(Message::User(Transcript(conversation)));
  Result<Completion, ProviderError> done = provider->Complete(request);
  if (!done.ok()) return done.error();
  return done->message.Text();
}

}  // namespace

AgentReply::AgentReply(Provider* provider, ToolSet* tools, const AgentOptions& options,
                       std::vector<Message> conversation)
    : provider_(provider),
      tools_(tools),
      options_(options),
      conversation_(std::move(conversation)) {
  if (tools_ != nullptr) tool_specs_ = tools_->Tools();
}

AgentReply::~AgentReply() = default;

void AgentReply::Cancel() {
  cancelled_.store(true);
  {
    MutexLock lock(stream_mu_);
    if (live_stream_ != nullptr) live_stream_->Cancel();
  }
  // A tool call in flight (a stuck extension can hold it for its whole
  // timeout) ends too: the session is ending.
  if (tools_ != nullptr) tools_->Interrupt();
}

bool AgentReply::Next(Message* out) {
  while (pending_.empty() && !done_) {
    if (cancelled_.load()) {
      error_ = ProviderError{ProviderErrorKind::kCancelled, "the reply was cancelled", 0, {}};
      done_ = true;
      break;
    }
    if (turns_ >= options_.max_turns) {
      hit_max_turns_ = true;
      done_ = true;
      break;
    }
    RunTurn();
  }
  if (pending_.empty()) return false;
  *out = std::move(pending_.front());
  pending_.pop_front();
  return true;
}

void AgentReply::RunTurn() {
  ProviderRequest request;
  request.system = options_.system_prompt;
  // Lent to the request, not copied (a turn would otherwise cost a copy of
  // the whole conversation); taken back once the stream is gone.
  request.conversation = std::move(conversation_);
  request.tools = tool_specs_;
  if (FailpointOn(Failpoint::kCopyToolLists) && tool_specs_ != nullptr) {
    request.tools = MakeToolList(*tool_specs_);  // the old path: a copy per turn
  }
  std::unique_ptr<ReplyStream> stream = provider_->Stream(request);
  {
    MutexLock lock(stream_mu_);
    live_stream_ = stream.get();
  }
  if (cancelled_.load()) stream->Cancel();  // a Cancel() that came before the pointer was set
  if (FailpointOn(Failpoint::kPartialDrain)) {
    conversation_ = std::move(request.conversation);
    TakeFirstItemAndKeepStream(std::move(stream));
    return;
  }
  ReplyLimits limits = options_.limits;
  limits.max_reply_bytes -= std::min(limits.max_reply_bytes, reply_bytes_);  // what is left
  DrainResult drained = Drain(*stream, limits);
  {
    MutexLock lock(stream_mu_);
    live_stream_ = nullptr;
  }
  stream.reset();  // the provider's stream, connection and buffers end here
  conversation_ = std::move(request.conversation);
  ++turns_;
  reply_bytes_ += drained.bytes;
  AddUsage(&usage_, drained.usage);
  if (drained.error) {
    // A failed turn adds nothing: partial text of a broken stream is not a
    // message the user should see persisted.
    error_ = std::move(drained.error);
    done_ = true;
    return;
  }
  // Tool requests point into drained.messages, which stays put until the
  // responses are built.
  std::vector<const ToolRequestContent*> requests;
  for (const Message& m : drained.messages) {
    for (const ToolRequestContent* r : m.ToolRequests()) requests.push_back(r);
  }
  Message responses;
  if (!requests.empty()) {
    responses = CallTools(requests);
    for (const Content& c : responses.content) reply_bytes_ += ContentBytes(c);
    if (reply_bytes_ > options_.limits.max_reply_bytes &&
        !FailpointOn(Failpoint::kLiftReplyLimits)) {
      error_ = LimitError("the reply with its tool results", options_.limits.max_reply_bytes,
                          "GOOSE_API_MAX_REPLY_BYTES");
      done_ = true;
      return;
    }
  }
  for (Message& m : drained.messages) {
    conversation_.push_back(m);
    pending_.push_back(std::move(m));
  }
  if (requests.empty()) {
    done_ = true;
    return;
  }
  conversation_.push_back(responses);
  pending_.push_back(std::move(responses));
}

// goose-api's bug, on purpose: read the first item, keep the stream alive
// and undrained (with its connection and buffers), answer with what came.
void AgentReply::TakeFirstItemAndKeepStream(std::unique_ptr<ReplyStream> stream) {
  static Mutex kept_mu;
  static auto* kept = new std::vector<std::unique_ptr<ReplyStream>>();  // the leak
  {
    MutexLock lock(stream_mu_);
    live_stream_ = nullptr;
  }
  StreamItem item;
  MessageAssembler assembler;
  if (stream->Next(&item)) assembler.Add(item);
  {
    MutexLock lock(kept_mu);
    kept->push_back(std::move(stream));
  }
  ++turns_;
  for (Message& m : assembler.TakeMessages()) pending_.push_back(std::move(m));
  done_ = true;
}

Message AgentReply::CallTools(const std::vector<const ToolRequestContent*>& requests) {
  Message out;
  out.role = Role::kUser;
  out.created = NowUnixSeconds();
  for (const ToolRequestContent* request : requests) {
    ToolResponseContent response;
    response.id = request->id;
    if (!request->tool_call.ok()) {
      response.tool_result =
          ToolResult<std::vector<Json>>::Failure("invalid tool call: " + request->tool_call.error);
    } else if (tools_ == nullptr) {
      response.tool_result = ToolResult<std::vector<Json>>::Failure(
          "no tools are available in this session (tool: " + request->tool_call.value->name + ")");
    } else if (cancelled_.load()) {
      response.tool_result = ToolResult<std::vector<Json>>::Failure("the reply was cancelled");
    } else {
      response.tool_result = tools_->Call(*request->tool_call.value);
      size_t bytes = 0;
      if (response.tool_result.ok()) {
        for (const Json& item : *response.tool_result.value) bytes += JsonDump(item).size();
      }
      const size_t max_bytes = EffectiveLimits(options_.limits).max_message_bytes;
      if (bytes > max_bytes && !FailpointOn(Failpoint::kLiftReplyLimits)) {
        // A tool error the model can act on, not the whole reply's failure.
        response.tool_result = ToolResult<std::vector<Json>>::Failure(
            "the tool's result (" + std::to_string(bytes) +
            " bytes) is larger than GOOSE_API_MAX_MESSAGE_BYTES (" + std::to_string(max_bytes) +
            ")");
      }
      if (!response.tool_result.ok()) {
        GOOSE_LOG(kInfo) << "tool " << request->tool_call.value->name
                         << " failed: " << response.tool_result.error;
      }
    }
    out.content.emplace_back(std::move(response));
  }
  return out;
}

Agent::Agent(Provider* provider, std::unique_ptr<ToolSet> tools, AgentOptions options)
    : provider_(provider), tools_(std::move(tools)), options_(std::move(options)) {}

Agent::~Agent() = default;

std::unique_ptr<AgentReply> Agent::Reply(std::vector<Message> conversation) {
  return std::unique_ptr<AgentReply>(
      new AgentReply(provider_, tools_.get(), options_, std::move(conversation)));
}

Result<std::string, ProviderError> Agent::Summarize(const std::vector<Message>& conversation,
                                                    Cancellation* cancellation) {
  return OneShot(provider_, kSummarizePrompt, conversation, cancellation);
}

Result<std::string, ProviderError> Agent::Describe(const std::vector<Message>& conversation,
                                                   Cancellation* cancellation) {
  Result<std::string, ProviderError> text =
      OneShot(provider_, kDescribePrompt, conversation, cancellation);
  if (!text.ok()) return text;
  // Keep one short line: models sometimes add quotes or a trailing period.
  std::string d = *text;
  if (size_t nl = d.find('\n'); nl != std::string::npos) d.resize(nl);
  while (!d.empty() && (d.back() == '.' || d.back() == ' ' || d.back() == '"')) d.pop_back();
  while (!d.empty() && (d.front() == ' ' || d.front() == '"')) d.erase(d.begin());
  if (d.size() > 100) d.resize(100);
  return d;
}

std::string Transcript(const std::vector<Message>& conversation) {
  std::string out;
  for (const Message& m : conversation) {
    for (const Content& c : m.content) {
      std::string line;
      if (const auto* t = std::get_if<TextContent>(&c)) {
        line = t->text;
      } else if (const auto* r = std::get_if<ToolRequestContent>(&c)) {
        line = r->tool_call.ok() ? "[called tool " + r->tool_call.value->name + " with " +
                                       JsonDump(r->tool_call.value->arguments) + "]"
                                 : "[invalid tool call: " + r->tool_call.error + "]";
      } else if (const auto* s = std::get_if<ToolResponseContent>(&c)) {
        line = s->tool_result.ok() ? "[tool result: " + McpContentText(*s->tool_result.value) + "]"
                                   : "[tool error: " + s->tool_result.error + "]";
      } else {
        continue;
      }
      out += RoleName(m.role);
      out += ": ";
      out += line;
      out += '\n';
    }
  }
  return out;
}

std::vector<Message> SummarizedConversation(const std::string& summary) {
  // A user message: the summary is context the model is given, and the
  // conversation keeps alternating (the next prompt follows it).
  Message m = Message::User("Summary of the conversation so far:\n" + summary);
  m.content.emplace_back(
      SummarizationRequestedContent{"The conversation was summarized to fit the context window."});
  return {std::move(m)};
}

}  // namespace goose
