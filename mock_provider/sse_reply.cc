#include "mock_provider/sse_reply.h"

#include <mutex>
#include <utility>

namespace goose::mock {
namespace {

constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

std::optional<SteadyClock::time_point> AbruptDeadline(const ScriptedTurn& turn,
                                                      SteadyClock::time_point start) {
  if (turn.failure.kind != FailureKind::kAbruptClose || !turn.failure.after_ms) return std::nullopt;
  return start + std::chrono::milliseconds(*turn.failure.after_ms);
}

}  // namespace

void StopSignal::Stop() {
  stopping_.store(true, std::memory_order_release);
  { MutexLock lock(mu_); }  // a waiter between its check and its wait holds mu_
  wake_.notify_all();
}

bool StopSignal::WaitUntil(SteadyClock::time_point deadline) const {
  MutexLock lock(mu_);
  std::unique_lock<std::mutex> native(mu_.native(), std::adopt_lock);
  while (!stopping()) {
    if (deadline == SteadyClock::time_point::max()) {
      wake_.wait(native);
    } else if (wake_.wait_until(native, deadline) == std::cv_status::timeout) {
      break;
    }
  }
  native.release();  // `lock` still owns mu_
  return !stopping();
}

SseReply::SseReply(std::shared_ptr<const Script> script, const ScriptedTurn& turn,
                   uint64_t turn_seed, std::unique_ptr<FrameEncoder> encoder,
                   const StopSignal* stop, MockStatsRecorder* stats)
    : script_(std::move(script)),
      turn_(turn),
      cursor_(turn, turn_seed),
      encoder_(std::move(encoder)),
      stop_(stop),
      stats_(stats),
      start_(SteadyClock::now()),
      abrupt_deadline_(AbruptDeadline(turn, start_)) {
  epoch_ = stats_->StreamStarted(cursor_.planned_chunks());
}

SseReply::~SseReply() { Release(false); }

void SseReply::Release(bool success) {
  if (released_) return;
  released_ = true;
  StreamOutcome outcome = StreamOutcome::kCancelled;
  if (failure_delivered_) {
    outcome = StreamOutcome::kFailed;
  } else if (success && finished_) {
    outcome = StreamOutcome::kCompleted;
  }
  stats_->StreamEnded(epoch_, outcome);
}

bool SseReply::Queue(FrameSink& sink, bool counts_as_chunk) {
  if (frame_.empty()) return true;
  batch_.append(frame_);
  if (counts_as_chunk) ++batch_chunks_;
  return batch_.size() < kMaxBatchBytes || Flush(sink);
}

bool SseReply::Flush(FrameSink& sink) {
  if (batch_.empty()) return true;
  const bool written = sink.Write(batch_);
  if (written && batch_chunks_ > 0) stats_->ChunksConsumed(epoch_, batch_chunks_);
  batch_.clear();
  batch_chunks_ = 0;
  return written;
}

bool SseReply::WaitBeforeChunk(std::chrono::milliseconds delay) {
  if (delay.count() == 0 && !abrupt_deadline_) return !stop_->stopping();
  const SteadyClock::time_point due = SteadyClock::now() + delay;
  if (abrupt_deadline_ && *abrupt_deadline_ <= due) {
    if (stop_->WaitUntil(*abrupt_deadline_)) failure_delivered_ = true;
    return false;
  }
  return stop_->WaitUntil(due);
}

bool SseReply::Stall(FrameSink& sink) {
  const int64_t interval = turn_.failure.keepalive_ms;
  if (interval == 0) {
    stop_->WaitUntil(SteadyClock::time_point::max());
    return false;
  }
  for (;;) {
    if (!stop_->WaitUntil(SteadyClock::now() + std::chrono::milliseconds(interval))) return false;
    if (!sink.Write(kKeepAlive)) return false;
  }
}

bool SseReply::Pump(FrameSink& sink) {
  frame_.clear();
  encoder_->Begin(&frame_);
  if (!Queue(sink, false)) return false;
  for (;;) {
    const TurnEvent& ev = cursor_.Next();
    frame_.clear();
    switch (ev.kind) {
      case TurnEvent::Kind::kChunk:
        // What is due before a wait goes out before it.
        if ((ev.delay.count() > 0 || abrupt_deadline_) && !Flush(sink)) return false;
        if (!WaitBeforeChunk(ev.delay)) return false;
        encoder_->Chunk(ev, &frame_);
        if (!Queue(sink, true)) return false;
        break;
      case TurnEvent::Kind::kMessageEnd:
        encoder_->MessageEnd(ev, &frame_);
        if (!Queue(sink, false)) return false;
        break;
      case TurnEvent::Kind::kFailure:
        switch (turn_.failure.kind) {
          case FailureKind::kErrorFrame:
            failure_delivered_ = true;
            encoder_->ErrorFrame(turn_.failure, &frame_);
            if (!Queue(sink, false) || !Flush(sink)) return false;
            sink.Done();
            return true;
          case FailureKind::kCorruptFrame:
            failure_delivered_ = true;
            encoder_->CorruptFrame(&frame_);
            if (!Queue(sink, false)) return false;
            break;  // the rest of the stream follows
          case FailureKind::kStall:
            if (!Flush(sink)) return false;
            return Stall(sink);
          default:  // kAbruptClose after chunk k: the k chunks reach the client first
            failure_delivered_ = true;
            Flush(sink);
            return false;
        }
        break;
      case TurnEvent::Kind::kEnd: {
        if (abrupt_deadline_) {
          if (!Flush(sink)) return false;
          if (stop_->WaitUntil(*abrupt_deadline_)) failure_delivered_ = true;
          return false;
        }
        const bool no_done = turn_.failure.kind == FailureKind::kNoDone;
        encoder_->Finish(!no_done, &frame_);
        if (!Queue(sink, false) || !Flush(sink)) return false;
        if (no_done) {
          failure_delivered_ = true;
        } else {
          finished_ = true;
        }
        sink.Done();
        return true;
      }
    }
  }
}

CollectOutcome CollectReply(const ScriptedTurn& turn, uint64_t turn_seed, const StopSignal& stop) {
  CollectOutcome out;
  TurnCursor cursor(turn, turn_seed);
  const auto deadline = AbruptDeadline(turn, SteadyClock::now());
  auto wait_until = [&](SteadyClock::time_point t) {
    if (!stop.WaitUntil(t)) out.stopped = true;
    return !out.stopped;
  };
  for (;;) {
    const TurnEvent& ev = cursor.Next();
    switch (ev.kind) {
      case TurnEvent::Kind::kChunk: {
        const SteadyClock::time_point due = SteadyClock::now() + ev.delay;
        if (deadline && *deadline <= due) {
          if (wait_until(*deadline)) out.cut_by = FailureKind::kAbruptClose;
          return out;
        }
        if (ev.delay.count() > 0 && !wait_until(due)) return out;
        if (out.reply.messages.size() <= ev.message_index)
          out.reply.messages.resize(ev.message_index + 1);
        CollectedMessage& m = out.reply.messages[ev.message_index];
        if (!ev.is_tool_fragment) {
          m.text.append(ev.text);
        } else {
          if (ev.first_fragment && !ev.duplicated) {
            m.tool_calls.push_back(CollectedToolCall{std::string(ev.tool_id), ev.tool->name, ""});
          }
          m.tool_calls.back().arguments.append(ev.text);
        }
        ++out.reply.chunks;
        break;
      }
      case TurnEvent::Kind::kMessageEnd:
        break;
      case TurnEvent::Kind::kFailure:
        out.cut_by = turn.failure.kind;
        return out;
      case TurnEvent::Kind::kEnd:
        if (deadline && wait_until(*deadline)) out.cut_by = FailureKind::kAbruptClose;
        return out;
    }
  }
}

}  // namespace goose::mock
