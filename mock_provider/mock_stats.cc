#include "mock_provider/mock_stats.h"

#include <mutex>

namespace goose::mock {

Json MockStats::ToJson() const {
  return Json{{"streams_started", streams_started},     {"streams_completed", streams_completed},
              {"streams_cancelled", streams_cancelled}, {"streams_failed", streams_failed},
              {"streams_live", streams_live()},         {"chunks_produced", chunks_produced},
              {"chunks_consumed", chunks_consumed},     {"requests", requests}};
}

MockStats MockStatsRecorder::Snapshot() const {
  MockStats s;
  s.streams_started = started_.load(std::memory_order_relaxed);
  s.streams_completed = completed_.load(std::memory_order_relaxed);
  s.streams_cancelled = cancelled_.load(std::memory_order_relaxed);
  s.streams_failed = failed_.load(std::memory_order_relaxed);
  s.chunks_produced = chunks_produced_.load(std::memory_order_relaxed);
  s.chunks_consumed = chunks_consumed_.load(std::memory_order_relaxed);
  s.requests = requests_.load(std::memory_order_relaxed);
  return s;
}

void MockStatsRecorder::Reset() {
  epoch_.fetch_add(1, std::memory_order_relaxed);
  for (std::atomic<int64_t>* c : {&started_, &completed_, &cancelled_, &failed_, &chunks_produced_,
                                  &chunks_consumed_, &requests_}) {
    c->store(0, std::memory_order_relaxed);
  }
  Notify();
}

uint64_t MockStatsRecorder::StreamStarted(int64_t planned_chunks) {
  const uint64_t epoch = epoch_.load(std::memory_order_relaxed);
  started_.fetch_add(1, std::memory_order_relaxed);
  chunks_produced_.fetch_add(planned_chunks, std::memory_order_relaxed);
  Notify();
  return epoch;
}

void MockStatsRecorder::StreamEnded(uint64_t epoch, StreamOutcome outcome) {
  if (epoch != epoch_.load(std::memory_order_relaxed)) return;
  switch (outcome) {
    case StreamOutcome::kCompleted:
      completed_.fetch_add(1, std::memory_order_relaxed);
      break;
    case StreamOutcome::kCancelled:
      cancelled_.fetch_add(1, std::memory_order_relaxed);
      break;
    case StreamOutcome::kFailed:
      failed_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  Notify();
}

void MockStatsRecorder::Notify() {
  { MutexLock lock(mu_); }  // a waiter between its check and its wait holds mu_
  changed_.notify_all();
}

bool MockStatsRecorder::WaitUntil(const std::function<bool(const MockStats&)>& done,
                                  std::chrono::milliseconds timeout) const {
  constexpr auto kRecheck = std::chrono::milliseconds(10);  // chunk counts do not notify
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  for (;;) {
    if (done(Snapshot())) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::unique_lock<std::mutex> native(mu_.native(), std::adopt_lock);
    changed_.wait_until(native, std::min(deadline, now + kRecheck));
    native.release();  // `lock` still owns mu_
  }
}

bool MockStatsRecorder::WaitUntilSettled(std::chrono::milliseconds timeout) const {
  return WaitUntil([](const MockStats& s) { return s.Settled(); }, timeout);
}

}  // namespace goose::mock
