#include "core/agent/live_session.h"

#include <cstdlib>

#include "core/base/log.h"
#include "core/model/session_file.h"

namespace goose {

LiveSession::LiveSession(std::string id, Session session, std::unique_ptr<Agent> agent)
    : id_(std::move(id)), session_(std::move(session)), agent_(std::move(agent)) {
  message_count_.store(session_.messages.size());
}

LiveSession::~LiveSession() = default;

Status LiveSession::Expand() {
  if (compact_.empty()) return Status::Ok();
  Result<Session> parsed = ParseSessionFile(compact_, "compacted session " + id_);
  if (!parsed.ok()) {
    GOOSE_LOG(kError) << "session " << id_ << ": its compacted conversation does not parse: "
                      << parsed.status().message();
    return DataLoss("session " + id_ +
                    " could not be restored from memory: " + parsed.status().message());
  }
  session_ = std::move(parsed).value();
  std::string().swap(compact_);
  return Status::Ok();
}

Session& LiveSession::conversation() {
  if (!compact_.empty()) {
    GOOSE_LOG(kError) << "session " << id_ << ": conversation used while compacted";
    std::abort();  // a caller skipped Expand: a bug that must not pass silently
  }
  return session_;
}

bool LiveSession::Compact() {
  if (!compact_.empty() || session_.messages.empty()) return false;
  std::string bytes = SerializeSession(session_);
  // Lossless by the format's contract (and its fuzzer); checked, since a
  // conversation that could not come back must not be dropped.
  if (!ParseSessionFile(bytes, "compacted session").ok()) return false;
  bytes.shrink_to_fit();
  compact_ = std::move(bytes);
  session_ = Session{};
  return true;
}

void LiveSession::SetActiveReply(AgentReply* reply) {
  MutexLock lock(reply_mu_);
  active_reply_ = reply;
}

void LiveSession::SetActiveOneShot(Cancellation* one_shot) {
  MutexLock lock(reply_mu_);
  active_one_shot_ = one_shot;
  if (one_shot != nullptr && ended()) one_shot->Cancel();
}

void LiveSession::CancelActiveReply() {
  MutexLock lock(reply_mu_);
  if (active_reply_ != nullptr) active_reply_->Cancel();
  if (active_one_shot_ != nullptr) active_one_shot_->Cancel();
}

}  // namespace goose
