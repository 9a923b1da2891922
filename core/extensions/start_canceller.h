// StartCanceller: lets another thread end extension starts in flight.
//
// Starting an extension waits for its `initialize` answer for up to the
// extension's timeout (86400 s is a valid one). Ending a session, or
// shutting the server down, must not wait that out: a start registers its
// client here for the length of the wait, and Cancel() stops every client
// registered (its pending request fails with Cancelled at once) and every
// later start before it begins.
//
// Thread-safe. Never blocks beyond its own lock.

#ifndef GOOSE_CORE_EXTENSIONS_START_CANCELLER_H_
#define GOOSE_CORE_EXTENSIONS_START_CANCELLER_H_

#include <vector>

#include "core/base/thread_annotations.h"
#include "core/extensions/mcp_client.h"

namespace goose {

class StartCanceller {
 public:
  // Registers `client` while it starts; false when cancelled already (the
  // start must not go on). REQUIRES: Leave(client) before it is destroyed.
  bool Enter(McpClient* client) EXCLUDES(mu_);
  void Leave(McpClient* client) EXCLUDES(mu_);

  // Stops every registered client and refuses every later Enter().
  void Cancel() EXCLUDES(mu_);
  bool cancelled() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::vector<McpClient*> clients_ GUARDED_BY(mu_);
  bool cancelled_ GUARDED_BY(mu_) = false;
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_START_CANCELLER_H_
