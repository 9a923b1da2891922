// InterruptibleConnection: lets another thread break a blocking httplib call.
//
// cpp-httplib's client blocks its thread in connect, read or write. Its own
// Client::stop() (0.11.4) shuts the socket down only while a request is
// marked in flight: a stop() that comes before that (during name lookup, or
// while connect holds the client's socket mutex) does nothing or waits for
// the connect timeout, and the next request clears its "close when done"
// flag. So this class hooks the client's socket creation instead
// (Client::set_socket_options): each new socket is duplicated (an fd of our
// own, so it can never be confused with a later reuse of httplib's fd number
// after httplib closes it) and counted in Gauge::kProviderConnections.
// Interrupt() shuts the socket down, which wakes a blocked poll/recv/send
// at once and aborts a connect in progress; a socket created after
// Interrupt() is shut down as soon as it appears. The call then fails and
// returns promptly. (Name lookup itself cannot be interrupted; it is bounded
// by the resolver's own timeout.)
//
// For HTTPS only the read side is shut down: OpenSSL writes with plain
// write(), so a write to a fully shut-down socket would raise SIGPIPE in a
// process that does not ignore it. A read shutdown still wakes every wait
// this client makes for the peer; a write blocked on a full send buffer is
// bounded by the write timeout.
//
// Thread-safe. The duplicate is closed by Detach() or the destructor.

#ifndef GOOSE_CORE_PROVIDERS_INTERRUPTIBLE_CONNECTION_H_
#define GOOSE_CORE_PROVIDERS_INTERRUPTIBLE_CONNECTION_H_

#include <optional>

#include "core/base/resource_ledger.h"
#include "core/base/thread_annotations.h"
#include "core/base/unique_fd.h"

namespace goose {

class InterruptibleConnection {
 public:
  enum class Shutdown { kReadAndWrite, kReadOnly };

  explicit InterruptibleConnection(Shutdown how) : how_(how) {}
  ~InterruptibleConnection() = default;
  InterruptibleConnection(const InterruptibleConnection&) = delete;
  InterruptibleConnection& operator=(const InterruptibleConnection&) = delete;

  // The socket-options hook: call with every socket the client creates.
  // Replaces (and closes) the previous duplicate, if any.
  void Attach(int socket_fd) EXCLUDES(mu_);

  // The HTTP call has returned (httplib has closed its socket): closes the
  // duplicate, which closes the connection, and stops counting it.
  void Detach() EXCLUDES(mu_);

  // Breaks the current socket and every later one. Idempotent.
  void Interrupt() EXCLUDES(mu_);

  bool interrupted() const EXCLUDES(mu_);

 private:
  void ShutdownLocked() REQUIRES(mu_);

  const Shutdown how_;
  mutable Mutex mu_;
  UniqueFd socket_ GUARDED_BY(mu_);
  std::optional<LedgerEntry> counted_ GUARDED_BY(mu_);
  bool interrupted_ GUARDED_BY(mu_) = false;
};

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_INTERRUPTIBLE_CONNECTION_H_
