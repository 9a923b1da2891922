#include "core/model/cancellation.h"

namespace goose {

void Cancellation::Cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  if (hook_) hook_();
}

bool Cancellation::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

void Cancellation::SetHook(std::function<void()> hook) {
  MutexLock lock(mu_);
  hook_ = std::move(hook);
  if (cancelled_ && hook_) hook_();
}

}  // namespace goose
