// Cancellation: "stop now" for one piece of work, from any thread.
//
// The code doing the work says how to interrupt it (SetHook: close a
// socket, wake a wait); whoever cancels runs that hook. A Cancel() before
// the hook is set is not lost: SetHook runs it at once. Used for the
// provider's one-shot calls (summaries, descriptions), which a session's
// end or a shutdown must not wait out.
//
// Thread-safe. The hook runs under the object's lock: it must not block.

#ifndef GOOSE_CORE_MODEL_CANCELLATION_H_
#define GOOSE_CORE_MODEL_CANCELLATION_H_

#include <functional>

#include "core/base/thread_annotations.h"

namespace goose {

class Cancellation {
 public:
  // Runs the hook, if any; every later SetHook runs its hook at once.
  void Cancel() EXCLUDES(mu_);
  bool cancelled() const EXCLUDES(mu_);

  // How to interrupt the work in progress; an empty function clears it
  // (before what it refers to goes away).
  void SetHook(std::function<void()> hook) EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::function<void()> hook_ GUARDED_BY(mu_);
  bool cancelled_ GUARDED_BY(mu_) = false;
};

// Sets a hook for the life of a scope.
class ScopedCancelHook {
 public:
  // `cancellation` may be null (nothing to do).
  ScopedCancelHook(Cancellation* cancellation, std::function<void()> hook)
      : cancellation_(cancellation) {
    if (cancellation_ != nullptr) cancellation_->SetHook(std::move(hook));
  }
  ~ScopedCancelHook() {
    if (cancellation_ != nullptr) cancellation_->SetHook(nullptr);
  }
  ScopedCancelHook(const ScopedCancelHook&) = delete;
  ScopedCancelHook& operator=(const ScopedCancelHook&) = delete;

 private:
  Cancellation* const cancellation_;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_CANCELLATION_H_
