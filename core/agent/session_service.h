// SessionService: what the HTTP routes do, without HTTP.
//
// Each operation of goose-api (start, reply, summarize, end, get, list) as a
// function over the registry and the store, returning a value or a Status.
// The HTTP layer (core/server/) only parses requests and renders answers;
// tests and fuzzers can call these directly.
//
// A reply drains the agent's multi-message stream to its end, appends every
// message to the conversation and persists the whole conversation. A full
// context window is answered by summarizing through the provider,
// persisting the summarized conversation and retrying once (the answer then
// carries `summarized`, shown to clients as status "warning"). The session
// description is generated after the first and the third user message.
//
// Thread-safe. Replies to one session are serialised; replies to different
// sessions run in parallel.

#ifndef GOOSE_CORE_AGENT_SESSION_SERVICE_H_
#define GOOSE_CORE_AGENT_SESSION_SERVICE_H_

#include <atomic>
#include <string>
#include <vector>

#include "core/agent/session_registry.h"
#include "core/base/byte_queue.h"
#include "core/base/status.h"
#include "core/model/session_lines.h"
#include "core/model/session_store.h"

namespace goose {

struct ReplyOutcome {
  std::string session_id;
  std::string text;         // every assistant message's text, in order, joined by "\n"
  bool summarized = false;  // the context was summarized to fit (goose-api's "warning")
  bool hit_max_turns = false;
  std::vector<Message> new_messages;
};

struct SessionView {
  std::string session_id;
  Session session;
};

class SessionService {
 public:
  // REQUIRES: registry and store outlive the service.
  SessionService(SessionRegistry* registry, SessionStore* store);

  // A new session answering `prompt`. ResourceExhausted at capacity.
  Result<ReplyOutcome> Start(const std::string& prompt);
  // Continues session `id` (live, or stored and rehydrated).
  Result<ReplyOutcome> Reply(const std::string& id, const std::string& prompt);
  // Summarizes session `id`, replaces its conversation by the summary and
  // persists it. Returns the summary.
  Result<std::string> Summarize(const std::string& id);
  // Ends live session `id`. NotFound when it is neither live nor stored.
  Status End(const std::string& id);
  // The session as stored (or as live, when live).
  Result<SessionView> Get(const std::string& id);
  // The size of session `id`'s file: what an answer of it will about take.
  Result<uint64_t> StoredBytes(const std::string& id);
  // Session `id`'s message lines appended to *out as stored, joined by ','
  // (session_lines.h): an answer of the session without parsing it.
  Result<StreamedSession> AppendStoredMessages(const std::string& id, ByteQueue* out);
  Result<std::vector<SessionInfo>> List();

  // Where the sessions are stored (answers name ids, never this path).
  const std::filesystem::path& sessions_dir() const { return store_->dir(); }

  // Requests being handled now (for /metrics).
  int64_t pending() const { return pending_.load(); }

 private:
  Result<ReplyOutcome> ReplyLocked(LiveSession& session, const std::string& prompt)
      REQUIRES(session.mu);
  Status Persist(LiveSession& session) REQUIRES(session.mu);
  // Validates the id, then the live or rehydrated session; NotFound names
  // only the id (never the sessions directory).
  Result<SessionLease> AcquireSession(const std::string& id);
  void MaybeDescribe(LiveSession& session) REQUIRES(session.mu);

  SessionRegistry* const registry_;
  SessionStore* const store_;
  std::atomic<int64_t> pending_{0};
};

}  // namespace goose

#endif  // GOOSE_CORE_AGENT_SESSION_SERVICE_H_
