#include "core/agent/session_registry.h"

#include <iterator>
#include <mutex>

#include "core/base/failpoint.h"
#include "core/base/log.h"
#include "core/model/session_store.h"

namespace goose {

SessionLease::SessionLease(SessionRegistry* registry, std::shared_ptr<LiveSession> session)
    : registry_(registry), session_(std::move(session)) {}

SessionLease::SessionLease(SessionLease&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), session_(std::move(other.session_)) {}

SessionLease& SessionLease::operator=(SessionLease&& other) noexcept {
  if (this != &other) {
    Release();
    registry_ = std::exchange(other.registry_, nullptr);
    session_ = std::move(other.session_);
  }
  return *this;
}

SessionLease::~SessionLease() { Release(); }

void SessionLease::Release() {
  if (registry_ != nullptr && session_ != nullptr) {
    const std::string id = session_->id();
    registry_->ReleaseLease(id, session_);
  }
  registry_ = nullptr;
  session_.reset();  // may destroy an ended session's agent, here, outside every lock
}

SessionRegistry::SessionRegistry(RegistryOptions options, AgentFactory agent_factory,
                                 SessionLoader loader)
    : options_(options),
      agent_factory_(std::move(agent_factory)),
      loader_(std::move(loader)),
      reaper_([this](std::stop_token stop) { ReaperLoop(std::move(stop)); }) {}

SessionRegistry::~SessionRegistry() { Shutdown(); }

Result<SessionLease> SessionRegistry::Create(const std::string& id, Session initial) {
  {
    MutexLock lock(mu_);
    if (live_.count(id) != 0)
      return Status(StatusCode::kAlreadyExists, "session " + id + " is live");
  }
  return Insert(id, std::move(initial));
}

Result<SessionLease> SessionRegistry::Acquire(const std::string& id, bool* rehydrated,
                                              const std::function<bool()>& ended) {
  if (rehydrated != nullptr) *rehydrated = false;
  {
    MutexLock lock(mu_);
    if (shut_down_) return Status(StatusCode::kUnavailable, "the server is shutting down");
    auto it = live_.find(id);
    if (it != live_.end()) {
      UnindexLocked(it->second);
      ++it->second.busy;
      return SessionLease(this, it->second.session);
    }
  }
  Result<Session> stored = loader_(id);  // disk I/O, outside the lock
  if (!stored.ok()) return stored.status();
  Result<SessionLease> lease = Insert(id, std::move(stored).value(), ended);
  if (!lease.ok() && lease.status().code() == StatusCode::kAlreadyExists) {
    return Acquire(id, rehydrated, ended);  // another request rehydrated it first: use theirs
  }
  if (lease.ok()) {
    GOOSE_LOG(kInfo) << "session " << id << " rehydrated from disk";
    if (rehydrated != nullptr) *rehydrated = true;
  }
  return lease;
}

Result<SessionLease> SessionRegistry::Insert(const std::string& id, Session session,
                                             const std::function<bool()>& refuse) {
  auto at_capacity = [&]() REQUIRES(mu_) -> std::optional<Status> {
    if (shut_down_) return Status(StatusCode::kUnavailable, "the server is shutting down");
    if (live_.count(id) != 0)
      return Status(StatusCode::kAlreadyExists, "session " + id + " is live");
    if (live_.size() >= options_.max_sessions) {
      return Status(StatusCode::kResourceExhausted,
                    "the server is at its limit of " + std::to_string(options_.max_sessions) +
                        " live sessions (GOOSE_API_MAX_SESSIONS); end a session or retry later");
    }
    return std::nullopt;
  };
  {
    MutexLock lock(mu_);
    if (auto refused = at_capacity()) return *refused;
  }
  // Making an agent can start extension processes: outside the lock.
  Result<std::unique_ptr<Agent>> agent = agent_factory_(id);
  if (!agent.ok()) return agent.status();
  auto live = std::make_shared<LiveSession>(id, std::move(session), std::move(agent).value());
  {
    MutexLock lock(mu_);
    if (auto refused = at_capacity()) return *refused;  // `live` outlives `lock`
    if (refuse && refuse()) return NotFound("session " + id + " was ended");
    Entry& e = live_[id];
    e.session = live;
    e.last_activity = Clock::now();
    e.busy = 1;
  }
  // No wake-up for the reaper: a new session is busy, and once released it
  // expires after every idle one, so the reaper's current deadline stands
  // (waking it per create made filling the registry O(n^2)).
  return SessionLease(this, std::move(live));
}

void SessionRegistry::ReleaseLease(const std::string& id,
                                   const std::shared_ptr<LiveSession>& session) {
  MutexLock lock(mu_);
  auto it = live_.find(id);
  if (it == live_.end() || it->second.session != session) return;  // ended meanwhile
  Entry& e = it->second;
  --e.busy;
  e.last_activity = Clock::now();
  if (e.busy == 0) {
    // Releases come in time order, so the new expiry is (nearly always) the
    // latest: inserting at the end's hint is amortised O(1). The reaper's
    // current deadline stands, since this expiry is later than it.
    e.idle =
        idle_by_expiry_.emplace_hint(idle_by_expiry_.end(), e.last_activity + options_.ttl, it);
    if (options_.compact_after < options_.ttl) {
      e.compact = compact_due_.emplace_hint(compact_due_.end(),
                                            e.last_activity + options_.compact_after, it);
      // The reaper may be sleeping until a later expiry: tell it about the
      // first compaction due (only when the index was empty, so O(1)), and
      // only when it would otherwise sleep past it (no context switch per
      // request).
      if (compact_due_.size() == 1 && e.compact.value()->first < reaper_deadline_) {
        reaper_rescan_ = true;
        reaper_wake_.notify_one();
      }
    }
  }
}

void SessionRegistry::UnindexLocked(Entry& e) {
  if (e.idle) idle_by_expiry_.erase(*e.idle);
  if (e.compact) compact_due_.erase(*e.compact);
  e.idle.reset();
  e.compact.reset();
}

SessionRegistry::LiveMap::iterator SessionRegistry::EraseLocked(LiveMap::iterator it) {
  UnindexLocked(it->second);
  return live_.erase(it);
}

size_t SessionRegistry::CompactIdle(Clock::time_point now) {
  std::vector<std::shared_ptr<LiveSession>> due;
  {
    MutexLock lock(mu_);
    while (!compact_due_.empty() && compact_due_.begin()->first <= now) {
      Entry& e = compact_due_.begin()->second->second;
      compact_due_.erase(*e.compact);
      e.compact.reset();
      due.push_back(e.session);
    }
  }
  size_t compacted = 0;
  for (const std::shared_ptr<LiveSession>& s : due) {
    if (!s->mu.TryLock()) continue;  // in use again: it will be indexed again when released
    if (s->Compact()) ++compacted;
    s->mu.Unlock();
  }
  if (compacted > 0) {
    MutexLock lock(mu_);
    compactions_ += compacted;
  }
  return compacted;
}

bool SessionRegistry::IsLive(const std::string& id) const {
  MutexLock lock(mu_);
  return live_.count(id) != 0;
}

Status SessionRegistry::End(const std::string& id) {
  std::vector<std::shared_ptr<LiveSession>> ended;
  {
    MutexLock lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end()) return NotFound("session " + id + " is not live");
    ended.push_back(std::move(it->second.session));
    EraseLocked(it);
  }
  EndSessions(std::move(ended));
  return Status::Ok();
}

size_t SessionRegistry::ReapExpired(Clock::time_point now) {
  if (FailpointOn(Failpoint::kNoReap)) return 0;
  std::vector<std::shared_ptr<LiveSession>> ended;
  // The nodes of the ended sessions' entries, unlinked under the lock and
  // freed after it.
  std::vector<LiveMap::node_type> entries;
  std::vector<ExpiryIndex::node_type> index_nodes;
  {
    MutexLock lock(mu_);
    const Clock::time_point started = Clock::now();
    // Only idle sessions are indexed; the first not expired ends the sweep.
    const auto last = idle_by_expiry_.upper_bound(now);
    const auto count = static_cast<size_t>(std::distance(idle_by_expiry_.begin(), last));
    ended.reserve(count);
    entries.reserve(count);
    index_nodes.reserve(2 * count);
    while (idle_by_expiry_.begin() != last) {
      auto it = idle_by_expiry_.begin()->second;
      Entry& e = it->second;
      ended.push_back(std::move(e.session));
      index_nodes.push_back(idle_by_expiry_.extract(*e.idle));
      if (e.compact) index_nodes.push_back(compact_due_.extract(*e.compact));
      e.idle.reset();
      e.compact.reset();
      entries.push_back(live_.extract(it));
    }
    reaped_ += ended.size();
    last_sweep_ = Clock::now() - started;
  }
  entries.clear();
  index_nodes.clear();
  const size_t n = ended.size();
  if (n > 0) GOOSE_LOG(kInfo) << "reaped " << n << " idle session(s)";
  EndSessions(std::move(ended));
  return n;
}

void SessionRegistry::EndSessions(std::vector<std::shared_ptr<LiveSession>> ended) {
  for (auto& s : ended) {
    s->MarkEnded();  // before the cancel: a request queued behind the reply sees it
    s->CancelActiveReply();
  }
  ended.clear();  // idle sessions die here; busy ones when their lease is released
}

void SessionRegistry::Shutdown() {
  std::vector<std::shared_ptr<LiveSession>> ended;
  {
    MutexLock lock(mu_);
    shut_down_ = true;
    for (auto& [id, e] : live_) ended.push_back(std::move(e.session));
    idle_by_expiry_.clear();
    compact_due_.clear();
    live_.clear();
  }
  reaper_.request_stop();
  reaper_wake_.notify_all();
  if (reaper_.joinable() && reaper_.get_id() != std::this_thread::get_id()) reaper_.join();
  EndSessions(std::move(ended));
}

// The analysis cannot follow condition_variable_any's unlock/relock.
void SessionRegistry::ReaperLoop(std::stop_token stop) NO_THREAD_SAFETY_ANALYSIS {
  std::unique_lock<Mutex> lock(mu_);
  while (!stop.stop_requested()) {
    // Sleep until the earliest idle session expires or is due for
    // compaction, or until a stop request (or a first compaction due)
    // wakes us. Released sessions expire after every idle one, so they need
    // no wake-up.
    std::optional<Clock::time_point> next;
    if (!idle_by_expiry_.empty()) next = idle_by_expiry_.begin()->first;
    if (!compact_due_.empty() && (!next || compact_due_.begin()->first < *next)) {
      next = compact_due_.begin()->first;
    }
    if (!next) {
      // Nothing idle: wake on a new session, or re-check busy ones at TTL pace.
      next = Clock::now() + std::min<Clock::duration>(options_.ttl, std::chrono::seconds(1));
    }
    reaper_deadline_ = *next;
    reaper_wake_.wait_until(lock, stop, *next,
                            [this]() NO_THREAD_SAFETY_ANALYSIS { return reaper_rescan_; });
    reaper_deadline_ = Clock::time_point::min();
    reaper_rescan_ = false;
    if (stop.stop_requested()) break;
    if (Clock::now() >= *next) {
      lock.unlock();
      ReapExpired(Clock::now());
      CompactIdle(Clock::now());
      lock.lock();
    }
  }
}

size_t SessionRegistry::size() const {
  MutexLock lock(mu_);
  return live_.size();
}

std::vector<std::string> SessionRegistry::LiveIds() const {
  MutexLock lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(live_.size());
  for (const auto& [id, e] : live_) ids.push_back(id);
  return ids;
}

std::map<std::string, size_t> SessionRegistry::MessageCounts() const {
  std::vector<std::shared_ptr<LiveSession>> sessions;
  {
    MutexLock lock(mu_);
    for (const auto& [id, e] : live_) sessions.push_back(e.session);
  }
  std::map<std::string, size_t> out;
  for (const auto& s : sessions) out[s->id()] = s->message_count();
  return out;
}

SessionRegistry::Clock::duration SessionRegistry::last_sweep_duration() const {
  MutexLock lock(mu_);
  return last_sweep_;
}

size_t SessionRegistry::compactions() const {
  MutexLock lock(mu_);
  return compactions_;
}

size_t SessionRegistry::reaped() const {
  MutexLock lock(mu_);
  return reaped_;
}

}  // namespace goose
