#include "core/extensions/start_canceller.h"

#include <algorithm>

namespace goose {

bool StartCanceller::Enter(McpClient* client) {
  MutexLock lock(mu_);
  if (cancelled_) return false;
  clients_.push_back(client);
  return true;
}

void StartCanceller::Leave(McpClient* client) {
  MutexLock lock(mu_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), client), clients_.end());
}

void StartCanceller::Cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  // Under the lock: a client cannot Leave (and be destroyed) meanwhile.
  for (McpClient* client : clients_) client->RequestStop();
}

bool StartCanceller::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

}  // namespace goose
