// A level-triggered wake-up for poll(2) loops: an eventfd that, once
// signalled, stays readable. Threads blocked in poll() on a child's pipes
// add fd() to their set, so a stop request reaches them at once without
// closing an fd another thread may be using.

#ifndef GOOSE_CORE_EXTENSIONS_WAKE_EVENT_H_
#define GOOSE_CORE_EXTENSIONS_WAKE_EVENT_H_

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "core/base/unique_fd.h"

namespace goose {

class WakeEvent {
 public:
  // Aborts when the kernel refuses an eventfd (out of fds at start-up):
  // every stop path depends on it, and there is no sane way to go on.
  WakeEvent() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!fd_.valid()) std::abort();
  }
  WakeEvent(const WakeEvent&) = delete;
  WakeEvent& operator=(const WakeEvent&) = delete;

  // Makes fd() readable, for good. Async-signal-safe; callable any time.
  void Signal() {
    const uint64_t one = 1;
    (void)!::write(fd_.get(), &one, sizeof one);
  }

  // The fd to poll for POLLIN. Owned here.
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_WAKE_EVENT_H_
