// LiveSession: one session in memory: its agent (with its extensions), its
// conversation and where its file stood after the last save.
//
// The conversation is guarded by `mu`, held for a whole reply. An idle
// session may be compacted (Compact): the conversation is kept as its
// session-file bytes, one allocation of about the JSON's size instead of
// several objects per message, and made live again by Expand before use.

#ifndef GOOSE_CORE_AGENT_LIVE_SESSION_H_
#define GOOSE_CORE_AGENT_LIVE_SESSION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/agent/agent.h"
#include "core/base/memory_release.h"
#include "core/base/resource_ledger.h"
#include "core/base/status.h"
#include "core/base/thread_annotations.h"
#include "core/model/cancellation.h"
#include "core/model/session.h"
#include "core/model/session_writer.h"

namespace goose {

class LiveSession {
 public:
  LiveSession(std::string id, Session session, std::unique_ptr<Agent> agent);
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  const std::string& id() const { return id_; }
  Agent& agent() { return *agent_; }

  // Held for a whole reply (or any read-modify-write of the conversation).
  Mutex mu;

  // Makes a compacted conversation live again. DataLoss when its bytes do
  // not parse (Compact checks that they do, so this is a bug, never a
  // client's doing); the bytes are then kept, so nothing is lost, and the
  // request fails. Ok at once when the conversation is live.
  Status Expand() REQUIRES(mu);
  // The conversation. REQUIRES: live (Expand succeeded since the last
  // Compact).
  Session& conversation() REQUIRES(mu);

  // Replaces the conversation in memory by its session-file bytes
  // (SerializeSession, which ParseSessionFile reads back losslessly) until
  // Expand. Does nothing for a session without messages or one already
  // compacted. Returns whether it compacted.
  bool Compact() REQUIRES(mu);
  bool compacted() const REQUIRES(mu) { return !compact_.empty(); }

  // Records the conversation's size after it changed: its message count
  // (readable without `mu`, for /metrics) and its bytes in the ledger.
  void UpdateStats(size_t messages, int64_t bytes) REQUIRES(mu) {
    message_count_.store(messages);
    conversation_bytes_.Set(bytes);
    freed_at_end_.bytes.store(bytes);
  }
  size_t message_count() const { return message_count_.load(); }
  // Where the session's file stood after this process last saved it
  // (SessionWriter::Save appends when it still stands there).
  FileMark& file_mark() REQUIRES(mu) { return file_mark_; }

  // The reply running now, so ending the session can cancel it. Set and
  // cleared by the code that runs the reply.
  void SetActiveReply(AgentReply* reply);
  // The one-shot provider call running now (a summary, a description), so
  // ending the session can cancel it too; one set after the end is
  // cancelled at once. Set and cleared by OneShotScope.
  void SetActiveOneShot(Cancellation* one_shot);
  // Cancels the reply and the one-shot call running now: the session is
  // ending (MarkEnded first, so that a one-shot set later is cancelled).
  void CancelActiveReply();

  // Ended (by /session/end, the reaper or shutdown): a request that holds
  // the session already finds it gone and answers "not found". Any thread.
  void MarkEnded() { ended_.store(true); }
  bool ended() const { return ended_.load(); }

 private:
  // Notes the conversation's bytes as freed (FreedMemory, which gives a
  // large one back to the system) once everything below is freed: first.
  struct FreedAtEnd {
    ~FreedAtEnd() { FreedMemory::Process().Note(bytes.load()); }
    std::atomic<int64_t> bytes{0};
  };
  FreedAtEnd freed_at_end_;
  // Counted out only after everything below is freed.
  LedgerEntry counted_{Gauge::kSessions};
  const std::string id_;
  Session session_ GUARDED_BY(mu);
  std::string compact_ GUARDED_BY(mu);  // non-empty: the conversation, serialized
  FileMark file_mark_ GUARDED_BY(mu);
  LedgerBytes conversation_bytes_ GUARDED_BY(mu){Gauge::kConversationBytes};
  std::atomic<size_t> message_count_{0};
  std::atomic<bool> ended_{false};
  std::unique_ptr<Agent> agent_;
  Mutex reply_mu_;
  AgentReply* active_reply_ GUARDED_BY(reply_mu_) = nullptr;
  Cancellation* active_one_shot_ GUARDED_BY(reply_mu_) = nullptr;
};

// A one-shot provider call of `session` for the length of a scope: its
// Cancellation (on the caller's stack, not in the session: a live session
// stays small) is the session's active one-shot.
class OneShotScope {
 public:
  explicit OneShotScope(LiveSession& session) : session_(session) {
    session_.SetActiveOneShot(&cancellation_);
  }
  ~OneShotScope() { session_.SetActiveOneShot(nullptr); }
  OneShotScope(const OneShotScope&) = delete;
  OneShotScope& operator=(const OneShotScope&) = delete;

  Cancellation* cancellation() { return &cancellation_; }

 private:
  LiveSession& session_;
  Cancellation cancellation_;
};

}  // namespace goose

#endif  // GOOSE_CORE_AGENT_LIVE_SESSION_H_
