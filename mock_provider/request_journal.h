// RequestJournal: what each request to mock-llm carried, so a test can check
// exactly what a client sent (model, messages, tools, ...).
//
// A bounded ring: it keeps the last `capacity` entries and counts the ones
// it dropped, so a long gate run cannot grow it without bound. Capacity 0
// keeps nothing (entries are only counted as dropped).
//
// Thread-safe.

#ifndef GOOSE_MOCK_PROVIDER_REQUEST_JOURNAL_H_
#define GOOSE_MOCK_PROVIDER_REQUEST_JOURNAL_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "core/base/json.h"
#include "core/base/thread_annotations.h"

namespace goose::mock {

class RequestJournal {
 public:
  explicit RequestJournal(size_t capacity) : capacity_(capacity) {}
  RequestJournal(const RequestJournal&) = delete;
  RequestJournal& operator=(const RequestJournal&) = delete;

  // Appends `entry`, dropping the oldest entry when full.
  void Record(Json entry);
  // The entries kept, oldest first.
  std::vector<Json> Entries() const;
  // {"requests":[...oldest first],"dropped":n,"capacity":c}
  Json ToJson() const;
  void Clear();

  size_t capacity() const { return capacity_; }
  size_t size() const;
  uint64_t dropped() const;

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<Json> entries_ GUARDED_BY(mu_);
  uint64_t dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_REQUEST_JOURNAL_H_
