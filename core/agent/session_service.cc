#include "core/agent/session_service.h"

#include <filesystem>

#include "core/base/log.h"
#include "core/base/strings.h"
#include "core/model/session_id.h"

namespace goose {
namespace {

// goose-api answers a request for an ended session 404 "Session not found"
// (it deletes the file); the file stays here, for goose's CLI.
Status EndedError(const std::string& id) {
  return NotFound("Session not found: session " + id + " was ended");
}

// Counts a request in the service's pending figure for its lifetime.
class PendingScope {
 public:
  explicit PendingScope(std::atomic<int64_t>* pending) : pending_(pending) { ++*pending_; }
  ~PendingScope() { --*pending_; }
  PendingScope(const PendingScope&) = delete;
  PendingScope& operator=(const PendingScope&) = delete;

 private:
  std::atomic<int64_t>* pending_;
};

struct DrainedReply {
  std::vector<Message> conversation;  // the one lent to the agent, extended
  std::vector<Message> messages;
  std::optional<ProviderError> error;
  TokenUsage usage;
  bool hit_max_turns = false;
  bool has_usage = false;
};

// Runs one agent reply and drains it to its end: every message, never only
// the first (the goose-api bug this project exists for).
DrainedReply RunReply(LiveSession& session, std::vector<Message> conversation) {
  DrainedReply out;
  std::unique_ptr<AgentReply> reply = session.agent().Reply(std::move(conversation));
  session.SetActiveReply(reply.get());
  Message m;
  while (reply->Next(&m)) out.messages.push_back(std::move(m));
  session.SetActiveReply(nullptr);
  out.error = reply->error();
  out.usage = reply->usage();
  out.has_usage =
      reply->usage().input_tokens || reply->usage().output_tokens || reply->usage().total_tokens;
  out.hit_max_turns = reply->hit_max_turns();
  out.conversation = reply->TakeConversation();
  return out;
}

Status ProviderFailure(const ProviderError& e) {
  if (e.kind == ProviderErrorKind::kCancelled) {
    return Status(StatusCode::kCancelled, "the reply was cancelled (the session ended)");
  }
  if (e.kind == ProviderErrorKind::kLimitExceeded) {
    return Status(StatusCode::kLimitExceeded, e.message);
  }
  return Status(StatusCode::kProviderFailed, e.ToString());
}

std::string AssistantText(const std::vector<Message>& messages) {
  std::string out;
  for (const Message& m : messages) {
    if (m.role != Role::kAssistant) continue;
    std::string t = m.Text();
    if (t.empty()) continue;
    AppendJoined(&out, "\n", t);
  }
  return out;
}

bool IsSummary(const Message& m) {
  for (const Content& c : m.content) {
    if (std::holds_alternative<SummarizationRequestedContent>(c)) return true;
  }
  return false;
}

// User messages that carry a prompt (not tool responses, not a summary).
size_t UserPrompts(const std::vector<Message>& messages) {
  size_t n = 0;
  for (const Message& m : messages) {
    if (m.role == Role::kUser && !m.HasToolResponses() && !IsSummary(m)) ++n;
  }
  return n;
}

}  // namespace

SessionService::SessionService(SessionRegistry* registry, SessionStore* store)
    : registry_(registry), store_(store) {}

Result<SessionLease> SessionService::AcquireSession(const std::string& id) {
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  bool rehydrated = false;
  // A copy read from disk is published only if the session was not ended
  // meanwhile (End marks first): no other request can take a stale copy.
  Result<SessionLease> lease =
      registry_->Acquire(id, &rehydrated, [&] { return store_->IsEnded(id); });
  // The store's message names the file; a client needs only the id.
  if (!lease.ok() && lease.status().code() == StatusCode::kNotFound) {
    return store_->IsEnded(id) ? EndedError(id) : NotFound("no session " + id);
  }
  // An end that came while the file was being read: the copy just made
  // must not outlive it (End marks first, then ends what is live).
  if (lease.ok() && rehydrated && store_->IsEnded(id)) {
    *lease = SessionLease();
    (void)registry_->End(id);
    return EndedError(id);
  }
  if (lease.ok() && (*lease)->ended()) return EndedError(id);
  return lease;
}

Result<ReplyOutcome> SessionService::Start(const std::string& prompt) {
  PendingScope pending(&pending_);
  const std::string id = NewSessionId();
  Session initial;
  std::error_code ec;
  initial.metadata.working_dir = std::filesystem::current_path(ec).string();
  Result<SessionLease> lease = registry_->Create(id, std::move(initial));
  if (!lease.ok()) return lease.status();
  Result<ReplyOutcome> outcome = [&]() -> Result<ReplyOutcome> {
    LiveSession& s = **lease;
    MutexLock lock(s.mu);
    return ReplyLocked(s, prompt);
  }();
  if (!outcome.ok()) {
    // A session whose first reply failed has nothing worth keeping alive.
    (void)registry_->End(id);
    return outcome;
  }
  outcome->session_id = id;
  return outcome;
}

Result<ReplyOutcome> SessionService::Reply(const std::string& id, const std::string& prompt) {
  PendingScope pending(&pending_);
  Result<SessionLease> lease = AcquireSession(id);
  if (!lease.ok()) return lease.status();
  LiveSession& s = **lease;
  MutexLock lock(s.mu);
  if (s.ended()) return EndedError(id);  // ended while this request waited for the lock
  Result<ReplyOutcome> outcome = ReplyLocked(s, prompt);
  if (outcome.ok()) outcome->session_id = id;
  return outcome;
}

Result<ReplyOutcome> SessionService::ReplyLocked(LiveSession& s, const std::string& prompt) {
  if (Status expanded = s.Expand(); !expanded.ok()) return expanded;
  Session& data = s.conversation();
  const Message user = Message::User(prompt);
  // The conversation is lent to the agent, not copied (a copy per reply
  // grows with the conversation), and comes back extended by the prompt and
  // the reply; only a reply that succeeded adds to it (below).
  auto run = [&] {
    const size_t kept = data.messages.size();
    data.messages.push_back(user);
    DrainedReply reply = RunReply(s, std::move(data.messages));
    data.messages = std::move(reply.conversation);
    if (data.messages.size() < kept) {  // AgentReply only appends; never expected
      GOOSE_LOG(kError) << "session " << s.id() << ": the agent returned a shorter conversation";
    } else {
      data.messages.erase(data.messages.begin() + static_cast<std::ptrdiff_t>(kept),
                          data.messages.end());
    }
    return reply;
  };
  DrainedReply reply = run();

  bool summarized = false;
  if (reply.error && reply.error->kind == ProviderErrorKind::kContextLengthExceeded) {
    GOOSE_LOG(kInfo) << "session " << s.id() << ": context length exceeded, summarizing";
    OneShotScope one_shot(s);
    Result<std::string, ProviderError> summary =
        s.agent().Summarize(data.messages, one_shot.cancellation());
    if (!summary.ok()) {
      return Status(
          StatusCode::kProviderFailed,
          "the context was too long and summarizing it failed: " + summary.error().ToString());
    }
    data.messages = SummarizedConversation(*summary);
    if (Status p = Persist(s); !p.ok()) return p;
    reply = run();  // once: a second overflow is an error
    summarized = true;
  }
  if (reply.error) return ProviderFailure(*reply.error);

  data.messages.push_back(user);
  for (const Message& m : reply.messages) data.messages.push_back(m);
  if (reply.has_usage) data.metadata.RecordUsage(reply.usage);
  MaybeDescribe(s);
  if (Status p = Persist(s); !p.ok()) {
    // The conversation stays in memory and is written with the next reply.
    return Status(p.code(), "the reply was produced but could not be saved: " + p.message());
  }

  ReplyOutcome out;
  out.text = AssistantText(reply.messages);
  out.summarized = summarized;
  out.hit_max_turns = reply.hit_max_turns;
  out.new_messages = std::move(reply.messages);
  return out;
}

void SessionService::MaybeDescribe(LiveSession& s) {
  Session& data = s.conversation();
  const size_t prompts = UserPrompts(data.messages);
  if (prompts != 1 && prompts != 3) return;
  OneShotScope one_shot(s);
  Result<std::string, ProviderError> d = s.agent().Describe(data.messages, one_shot.cancellation());
  if (!d.ok()) {
    GOOSE_LOG(kWarn) << "session " << s.id()
                     << ": could not generate a description: " << d.error().ToString();
    return;
  }
  if (!d->empty()) data.metadata.description = *d;
}

Status SessionService::Persist(LiveSession& s) {
  size_t bytes = 0;
  Status status = store_->Save(s.id(), s.conversation(), &s.file_mark(), &bytes);
  if (!status.ok()) {
    GOOSE_LOG(kError) << "session " << s.id() << ": " << status.ToString();
    return status;
  }
  s.UpdateStats(s.conversation().messages.size(), static_cast<int64_t>(bytes));
  return status;
}

Result<std::string> SessionService::Summarize(const std::string& id) {
  PendingScope pending(&pending_);
  Result<SessionLease> lease = AcquireSession(id);
  if (!lease.ok()) return lease.status();
  LiveSession& s = **lease;
  MutexLock lock(s.mu);
  if (s.ended()) return EndedError(id);
  if (Status expanded = s.Expand(); !expanded.ok()) return expanded;
  Session& data = s.conversation();
  if (data.messages.empty()) {
    return InvalidArgument("session " + id + " has no messages to summarize");
  }
  OneShotScope one_shot(s);
  Result<std::string, ProviderError> summary =
      s.agent().Summarize(data.messages, one_shot.cancellation());
  if (!summary.ok()) return ProviderFailure(summary.error());
  data.messages = SummarizedConversation(*summary);
  if (Status p = Persist(s); !p.ok()) return p;
  return *summary;
}

Status SessionService::End(const std::string& id) {
  PendingScope pending(&pending_);
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  if (store_->IsEnded(id)) return EndedError(id);
  // Marked before the live session is ended, so that no request can bring
  // it back from its file in between (AcquireSession checks the mark).
  if (store_->Exists(id)) {
    if (Status marked = store_->MarkEnded(id); !marked.ok()) return marked;
  }
  Status ended = registry_->End(id);
  if (ended.ok() || store_->Exists(id)) return Status::Ok();
  return NotFound("no session " + id);
}

Result<SessionView> SessionService::Get(const std::string& id) {
  PendingScope pending(&pending_);
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  // Every change is persisted before a reply returns, so the file is the
  // session; reading it does not wait for a reply running now.
  Result<Session> stored = store_->Read(id);
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kNotFound) return NotFound("no session " + id);
    return stored.status();
  }
  return SessionView{id, std::move(stored).value()};
}

Result<uint64_t> SessionService::StoredBytes(const std::string& id) {
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  Result<std::filesystem::path> path = store_->PathFor(id);
  if (!path.ok()) return path.status();
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::symlink_status(*path, ec);
  if (ec || status.type() == std::filesystem::file_type::not_found) {
    return NotFound("no session " + id);
  }
  // Anything but a regular file: the read refuses it and says why.
  if (status.type() != std::filesystem::file_type::regular) return 0;
  const uint64_t size = std::filesystem::file_size(*path, ec);
  return ec ? 0 : size;
}

Result<StreamedSession> SessionService::AppendStoredMessages(const std::string& id,
                                                             ByteQueue* out) {
  PendingScope pending(&pending_);
  if (Status s = ValidateSessionId(id); !s.ok()) return s;
  Result<std::filesystem::path> path = store_->PathFor(id);
  if (!path.ok()) return path.status();
  // Every change is persisted before a reply returns, so the file is the
  // session; reading it does not wait for a reply running now.
  Result<StreamedSession> lines = AppendMessageLines(*path, path->string(), out);
  if (!lines.ok() && lines.status().code() == StatusCode::kNotFound) {
    return NotFound("no session " + id);
  }
  return lines;
}

Result<std::vector<SessionInfo>> SessionService::List() {
  PendingScope pending(&pending_);
  return store_->List();
}

}  // namespace goose
