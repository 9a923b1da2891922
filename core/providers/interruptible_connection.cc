#include "core/providers/interruptible_connection.h"

#include <fcntl.h>
#include <sys/socket.h>

namespace goose {

void InterruptibleConnection::Attach(int socket_fd) {
  MutexLock lock(mu_);
  socket_.Reset(::fcntl(socket_fd, F_DUPFD_CLOEXEC, 0));
  if (!counted_) counted_.emplace(Gauge::kProviderConnections);
  if (interrupted_) ShutdownLocked();
}

void InterruptibleConnection::Detach() {
  MutexLock lock(mu_);
  socket_.Reset();
  counted_.reset();
}

void InterruptibleConnection::Interrupt() {
  MutexLock lock(mu_);
  interrupted_ = true;
  ShutdownLocked();
}

bool InterruptibleConnection::interrupted() const {
  MutexLock lock(mu_);
  return interrupted_;
}

void InterruptibleConnection::ShutdownLocked() {
  if (!socket_.valid()) return;
  // Errors (ENOTCONN for a socket that never connected) change nothing: the
  // point is to wake whoever waits on it.
  ::shutdown(socket_.get(), how_ == Shutdown::kReadAndWrite ? SHUT_RDWR : SHUT_RD);
}

}  // namespace goose
