// SessionRegistry: the live sessions of a server, and their reaper.
//
// A live session is an agent (with its extensions) and the conversation in
// memory. The registry maps ids to live sessions, caps how many may live at
// once, and runs a reaper thread that ends every session idle longer than
// the TTL promptly: it sleeps until the earliest expiry, not until a
// request happens to arrive (goose-api swept once an hour).
//
// Work on a session goes through a `SessionLease`, which marks the session
// busy (a busy session is never reaped) and refreshes its last activity
// when released. Replies to one session are serialised by the session's own
// mutex, held by the caller.
//
// Ending a session (End, reaping, Shutdown) removes it from the map and
// cancels its running reply; its agent and everything the agent holds are
// destroyed when the last lease on it is released (at once when idle).
//
// A session idle for `compact_after` has its conversation compacted by the
// same thread (LiveSession::Compact): kept as its session-file bytes, one
// allocation of about the JSON's size instead of several objects per
// message, and parsed back when it is next used. Idle sessions then cost
// about their JSON bytes, not ~1.7x.
//
// Thread-safe.

#ifndef GOOSE_CORE_AGENT_SESSION_REGISTRY_H_
#define GOOSE_CORE_AGENT_SESSION_REGISTRY_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/agent/agent.h"
#include "core/agent/live_session.h"
#include "core/base/resource_ledger.h"
#include "core/base/status.h"
#include "core/base/thread_annotations.h"
#include "core/model/session.h"
#include "core/model/session_store.h"

namespace goose {

class SessionRegistry;

// Keeps a session busy (unreapable) while held; movable.
class SessionLease {
 public:
  SessionLease() = default;
  SessionLease(SessionLease&& other) noexcept;
  SessionLease& operator=(SessionLease&& other) noexcept;
  ~SessionLease();
  SessionLease(const SessionLease&) = delete;
  SessionLease& operator=(const SessionLease&) = delete;

  LiveSession* operator->() const { return session_.get(); }
  LiveSession& operator*() const { return *session_; }
  explicit operator bool() const { return session_ != nullptr; }

 private:
  friend class SessionRegistry;
  SessionLease(SessionRegistry* registry, std::shared_ptr<LiveSession> session);
  void Release();

  SessionRegistry* registry_ = nullptr;
  std::shared_ptr<LiveSession> session_;
};

struct RegistryOptions {
  std::chrono::steady_clock::duration ttl = std::chrono::hours(1);
  size_t max_sessions = 1000;
  // Idle time after which a session's conversation is compacted; at least
  // the TTL: never.
  std::chrono::steady_clock::duration compact_after = std::chrono::seconds(5);
};

class SessionRegistry {
 public:
  using Clock = std::chrono::steady_clock;
  // Makes the agent of a new or rehydrated session.
  using AgentFactory = std::function<Result<std::unique_ptr<Agent>>(const std::string& id)>;
  // Reads a stored session for rehydration: NotFound when there is none.
  using SessionLoader = std::function<Result<Session>(const std::string& id)>;

  SessionRegistry(RegistryOptions options, AgentFactory agent_factory, SessionLoader loader);
  // Ends every session and joins the reaper.
  ~SessionRegistry();
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  // Makes a new live session with an empty conversation.
  // ResourceExhausted at max_sessions; AlreadyExists for a live id.
  Result<SessionLease> Create(const std::string& id, Session initial);

  // The live session `id`, or, when it is not live, the stored one brought
  // back to life (rehydrated). NotFound when neither exists;
  // ResourceExhausted when rehydration would pass max_sessions.
  // `rehydrated`, when given, says whether this call brought it back.
  // `ended`, when given, is asked under the registry's lock just before a
  // copy read from disk is published: true refuses it (NotFound), so that
  // no other request can take a copy of a session whose end came while its
  // file was read.
  Result<SessionLease> Acquire(const std::string& id, bool* rehydrated = nullptr,
                               const std::function<bool()>& ended = nullptr);

  // True when `id` is live now.
  bool IsLive(const std::string& id) const;

  // Ends a live session. NotFound when it is not live.
  Status End(const std::string& id);

  // Ends every session idle since before `now - ttl` and not busy. Returns
  // how many ended. The sweep takes the expired sessions out of the map
  // under the registry mutex in O(expired log n) (an expiry-ordered index,
  // no scan); they are destroyed afterwards, in the calling thread (the
  // reaper's) with no lock held, so requests never wait for it. The reaper
  // thread calls this; tests may too.
  size_t ReapExpired(Clock::time_point now);

  // Compacts the conversation of every session idle since before
  // `now - compact_after` (LiveSession::Compact), outside the registry
  // mutex; a session whose lock is taken (a request got it meanwhile) is
  // skipped. Returns how many were compacted. The reaper thread calls this.
  size_t CompactIdle(Clock::time_point now);

  // How long the last ReapExpired held the registry mutex (the sweep proper,
  // without destroying the ended sessions); for benchmarks.
  Clock::duration last_sweep_duration() const;

  // Ends every session and stops the reaper. Idempotent.
  void Shutdown();

  size_t size() const;
  std::vector<std::string> LiveIds() const;
  // Message count of every live session (for /metrics).
  std::map<std::string, size_t> MessageCounts() const;
  // Sessions reaped since start.
  size_t reaped() const;
  // Conversations compacted since start.
  size_t compactions() const;

 private:
  friend class SessionLease;
  struct Entry;
  using LiveMap = std::map<std::string, Entry>;
  // Idle sessions ordered by expiry (last activity + TTL); the value is the
  // session's place in `live_` (map iterators stay valid until erased). A
  // sweep walks it from the front and stops at the first session not yet
  // expired: O(expired * log n), no scan of every live session, no lookup.
  using ExpiryIndex = std::multimap<Clock::time_point, LiveMap::iterator>;
  struct Entry {
    std::shared_ptr<LiveSession> session;
    Clock::time_point last_activity;
    int busy = 0;  // leases held
    // Where the session sits in `idle_by_expiry_`; set exactly when busy == 0.
    std::optional<ExpiryIndex::iterator> idle;
    // Where it sits in `compact_due_`: idle and not yet compacted.
    std::optional<ExpiryIndex::iterator> compact;
  };

  void ReleaseLease(const std::string& id, const std::shared_ptr<LiveSession>& session);
  // Takes `e` out of both idle indexes (it became busy, or leaves).
  void UnindexLocked(Entry& e) REQUIRES(mu_);
  // Removes `it` from `live_` and from the idle indexes; returns the next.
  LiveMap::iterator EraseLocked(LiveMap::iterator it) REQUIRES(mu_);
  // `refuse`, when given, is asked under mu_ before publishing: true is NotFound.
  Result<SessionLease> Insert(const std::string& id, Session session,
                              const std::function<bool()>& refuse = nullptr) EXCLUDES(mu_);
  void ReaperLoop(std::stop_token stop);
  static void EndSessions(std::vector<std::shared_ptr<LiveSession>> ended);

  const RegistryOptions options_;
  const AgentFactory agent_factory_;
  const SessionLoader loader_;

  mutable Mutex mu_;
  LiveMap live_ GUARDED_BY(mu_);
  ExpiryIndex idle_by_expiry_ GUARDED_BY(mu_);
  ExpiryIndex compact_due_ GUARDED_BY(mu_);  // same, keyed by last activity + compact_after
  Clock::duration last_sweep_ GUARDED_BY(mu_){};
  size_t reaped_ GUARDED_BY(mu_) = 0;
  size_t compactions_ GUARDED_BY(mu_) = 0;
  bool shut_down_ GUARDED_BY(mu_) = false;
  bool reaper_rescan_ GUARDED_BY(mu_) = false;  // wake the reaper to recompute its deadline
  // When the sleeping reaper wakes next; min() while it is awake (it then
  // recomputes before sleeping, so nobody needs to wake it).
  Clock::time_point reaper_deadline_ GUARDED_BY(mu_) = Clock::time_point::min();
  std::condition_variable_any reaper_wake_;
  std::jthread reaper_;  // last member: started after everything it uses
};

}  // namespace goose

#endif  // GOOSE_CORE_AGENT_SESSION_REGISTRY_H_
