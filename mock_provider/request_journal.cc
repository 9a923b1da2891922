#include "mock_provider/request_journal.h"

#include <utility>

namespace goose::mock {

void RequestJournal::Record(Json entry) {
  MutexLock lock(mu_);
  if (capacity_ == 0) {
    ++dropped_;
    return;
  }
  if (entries_.size() == capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
  entries_.push_back(std::move(entry));
}

std::vector<Json> RequestJournal::Entries() const {
  MutexLock lock(mu_);
  return std::vector<Json>(entries_.begin(), entries_.end());
}

Json RequestJournal::ToJson() const {
  MutexLock lock(mu_);
  Json requests = Json::array();
  for (const Json& e : entries_) requests.push_back(e);
  return Json{{"requests", std::move(requests)}, {"dropped", dropped_}, {"capacity", capacity_}};
}

void RequestJournal::Clear() {
  MutexLock lock(mu_);
  entries_.clear();
  dropped_ = 0;
}

size_t RequestJournal::size() const {
  MutexLock lock(mu_);
  return entries_.size();
}

uint64_t RequestJournal::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

}  // namespace goose::mock
