// Waiting on a std::condition_variable while holding an annotated Mutex.
//
// std::condition_variable needs a std::unique_lock<std::mutex>, which the
// thread-safety analysis cannot see. WaitUntil() adopts the Mutex the caller
// already holds (REQUIRES(mu)), waits, and hands it back still held, so the
// caller's GUARDED_BY data stays checked. Callers loop on their condition:
// a wakeup may be spurious.

#ifndef GOOSE_CORE_PROVIDERS_CONDITION_WAIT_H_
#define GOOSE_CORE_PROVIDERS_CONDITION_WAIT_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/base/thread_annotations.h"

namespace goose {

// Releases `mu`, blocks until `cv` is notified (or spuriously woken) or
// `deadline` passes, and re-acquires `mu`. Returns false on timeout.
template <class Clock, class Duration>
bool WaitUntil(std::condition_variable& cv, Mutex& mu,
               std::chrono::time_point<Clock, Duration> deadline) REQUIRES(mu) {
  std::unique_lock<std::mutex> lock(mu.native(), std::adopt_lock);
  const bool notified = cv.wait_until(lock, deadline) == std::cv_status::no_timeout;
  lock.release();  // still locked; ownership stays with the caller's MutexLock
  return notified;
}

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_CONDITION_WAIT_H_
