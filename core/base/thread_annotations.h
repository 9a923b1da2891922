// Clang thread-safety annotations and an annotated mutex.
//
// libstdc++'s std::mutex carries no capability attributes, so clang's
// -Wthread-safety cannot see it. `Mutex` and `MutexLock` wrap it so that
// GUARDED_BY / REQUIRES on our own data are checked at compile time.
// Under GCC the macros expand to nothing.

#ifndef GOOSE_CORE_BASE_THREAD_ANNOTATIONS_H_
#define GOOSE_CORE_BASE_THREAD_ANNOTATIONS_H_

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define GOOSE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GOOSE_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) GOOSE_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY GOOSE_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) GOOSE_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) GOOSE_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) GOOSE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) GOOSE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) GOOSE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) GOOSE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) GOOSE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS GOOSE_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace goose {

// A std::mutex the thread-safety analysis understands.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Locks only when free; true when it did (the caller then Unlocks).
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // BasicLockable spelling, so std::condition_variable_any can wait on it.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

  // For condition variables: the underlying std::mutex.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds `mu` for its lifetime.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_THREAD_ANNOTATIONS_H_
