#include "core/agent/session_registry.h"

#include <mutex>

#include "core/failpoint.h"
#include "core/log.h"

namespace goose {

LiveSession::LiveSession(std::string id, Session session, std::unique_ptr<Agent> agent)
    : id_(std::move(id)), session_(std::move(session)), agent_(std::move(agent)) {
  message_count_.store(session_.messages.size());
}

LiveSession::~LiveSession() = default;

void LiveSession::SetActiveReply(AgentReply* reply) {
  MutexLock lock(reply_mu_);
  active_reply_ = reply;
}

void LiveSession::CancelActiveReply() {
  MutexLock lock(reply_mu_);
  if (active_reply_ != nullptr) active_reply_->Cancel();
}

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

Result<SessionLease> SessionRegistry::Acquire(const std::string& id) {
  {
    MutexLock lock(mu_);
    if (shut_down_) return Status(StatusCode::kUnavailable, "the server is shutting down");
    auto it = live_.find(id);
    if (it != live_.end()) {
      ++it->second.busy;
      return SessionLease(this, it->second.session);
    }
  }
  Result<Session> stored = loader_(id);  // disk I/O, outside the lock
  if (!stored.ok()) return stored.status();
  Result<SessionLease> lease = Insert(id, std::move(stored).value());
  if (!lease.ok() && lease.status().code() == StatusCode::kAlreadyExists) {
    return Acquire(id);  // another request rehydrated it first: use theirs
  }
  if (lease.ok()) GOOSE_LOG(kInfo) << "session " << id << " rehydrated from disk";
  return lease;
}

Result<SessionLease> SessionRegistry::Insert(const std::string& id, Session session) {
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
  --it->second.busy;
  it->second.last_activity = Clock::now();
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
    live_.erase(it);
  }
  EndSessions(std::move(ended));
  return Status::Ok();
}

size_t SessionRegistry::ReapExpired(Clock::time_point now) {
  if (FailpointOn(Failpoint::kNoReap)) return 0;
  std::vector<std::shared_ptr<LiveSession>> ended;
  {
    MutexLock lock(mu_);
    for (auto it = live_.begin(); it != live_.end();) {
      if (it->second.busy == 0 && now - it->second.last_activity >= options_.ttl) {
        ended.push_back(std::move(it->second.session));
        it = live_.erase(it);
      } else {
        ++it;
      }
    }
    reaped_ += ended.size();
  }
  const size_t n = ended.size();
  if (n > 0) GOOSE_LOG(kInfo) << "reaped " << n << " idle session(s)";
  EndSessions(std::move(ended));
  return n;
}

void SessionRegistry::EndSessions(std::vector<std::shared_ptr<LiveSession>> ended) {
  for (auto& s : ended) s->CancelActiveReply();
  ended.clear();  // idle sessions die here; busy ones when their lease is released
}

void SessionRegistry::Shutdown() {
  std::vector<std::shared_ptr<LiveSession>> ended;
  {
    MutexLock lock(mu_);
    shut_down_ = true;
    for (auto& [id, e] : live_) ended.push_back(std::move(e.session));
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
    // Sleep until the earliest idle session expires, or until a new session
    // or a stop request wakes us. Busy sessions push their own expiry later
    // when released, so they need no wake-up.
    std::optional<Clock::time_point> next;
    for (const auto& [id, e] : live_) {
      if (e.busy > 0) continue;
      const auto expiry = e.last_activity + options_.ttl;
      if (!next || expiry < *next) next = expiry;
    }
    if (!next) {
      // Nothing idle: wake on a new session, or re-check busy ones at TTL pace.
      next = Clock::now() + std::min<Clock::duration>(options_.ttl, std::chrono::seconds(1));
    }
    reaper_wake_.wait_until(lock, stop, *next, [] { return false; });
    if (stop.stop_requested()) break;
    if (Clock::now() >= *next) {
      lock.unlock();
      ReapExpired(Clock::now());
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

size_t SessionRegistry::reaped() const {
  MutexLock lock(mu_);
  return reaped_;
}

}  // namespace goose
