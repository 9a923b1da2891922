#include "core/base/answer_budget.h"

#include "core/base/failpoint.h"

namespace goose {

AnswerBudget::Charge& AnswerBudget::Charge::operator=(Charge&& other) noexcept {
  if (this != &other) {
    Set(0);
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    other.budget_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

void AnswerBudget::Charge::Set(size_t bytes) {
  if (budget_ == nullptr || bytes == bytes_) return;
  if (bytes > bytes_) {
    budget_->in_use_.fetch_add(bytes - bytes_, std::memory_order_relaxed);
  } else {
    budget_->in_use_.fetch_sub(bytes_ - bytes, std::memory_order_relaxed);
  }
  bytes_ = bytes;
}

std::optional<AnswerBudget::Charge> AnswerBudget::TryCharge(size_t bytes) {
  if (bytes <= kSmallAnswerBytes || limit_ == 0 || FailpointOn(Failpoint::kLiftAnswerBudget)) {
    return ChargeAlways(bytes);
  }
  size_t used = in_use_.load(std::memory_order_relaxed);
  do {
    if (used + bytes > limit_) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
  } while (!in_use_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return Charge(this, bytes);
}

AnswerBudget::Charge AnswerBudget::ChargeAlways(size_t bytes) {
  in_use_.fetch_add(bytes, std::memory_order_relaxed);
  return Charge(this, bytes);
}

}  // namespace goose
