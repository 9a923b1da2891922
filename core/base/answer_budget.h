// AnswerBudget: a bound on the answer bytes a server holds for its clients
// at once.
//
// An answer is built in memory and then sent as the client takes it; a
// client that reads slowly (or not at all, until a deadline) keeps its
// answer's bytes alive. Without a bound, many slow readers of a large
// answer hold many copies of it. Every byte queued for a client is charged
// here; a route that is about to build a large answer asks first
// (TryCharge) and refuses the request (503) when the bound would be
// passed. A small answer (at most kSmallAnswerBytes: /metrics, every error)
// is never refused, so an answer that says "too busy" can always be sent.
//
// Thread-safe.

#ifndef GOOSE_CORE_BASE_ANSWER_BUDGET_H_
#define GOOSE_CORE_BASE_ANSWER_BUDGET_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace goose {

class AnswerBudget {
 public:
  static constexpr size_t kSmallAnswerBytes = 64 * 1024;

  // `limit` bytes at most (0: no bound).
  explicit AnswerBudget(size_t limit) : limit_(limit) {}
  AnswerBudget(const AnswerBudget&) = delete;
  AnswerBudget& operator=(const AnswerBudget&) = delete;

  // Bytes charged to one answer, given back when it is destroyed.
  class Charge {
   public:
    Charge() = default;
    ~Charge() { Set(0); }
    Charge(Charge&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
      other.bytes_ = 0;
    }
    Charge& operator=(Charge&& other) noexcept;
    Charge(const Charge&) = delete;
    Charge& operator=(const Charge&) = delete;

    size_t bytes() const { return bytes_; }
    // Charges exactly `bytes` from now on (more or less than before); never
    // refused: the bytes exist already.
    void Set(size_t bytes);

   private:
    friend class AnswerBudget;
    Charge(AnswerBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
    AnswerBudget* budget_ = nullptr;
    size_t bytes_ = 0;
  };

  // A charge of `bytes` when they fit under the limit, or are small;
  // nullopt (counted in refused()) when they do not.
  std::optional<Charge> TryCharge(size_t bytes);
  // A charge of `bytes`, whatever the limit: for bytes that exist already.
  Charge ChargeAlways(size_t bytes);

  size_t limit() const { return limit_; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  int64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  const size_t limit_;
  std::atomic<size_t> in_use_{0};
  std::atomic<int64_t> refused_{0};
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_ANSWER_BUDGET_H_
