#include "mock_provider/turn_cursor.h"

#include <array>

namespace goose::mock {
namespace {

// Generated text is a stream of these words, each with its trailing space.
constexpr std::array<std::string_view, 32> kWords = {
    "alpha ",  "bravo ",  "charlie ", "delta ", "echo ",    "foxtrot ",  "golf ",    "hotel ",
    "india ",  "juliet ", "kilo ",    "lima ",  "mike ",    "november ", "oscar ",   "papa ",
    "quebec ", "romeo ",  "sierra ",  "tango ", "uniform ", "victor ",   "whiskey ", "xray ",
    "yankee ", "zulu ",   "stream ",  "chunk ", "message ", "token ",    "reply ",   "mock "};

constexpr char kHex[] = "0123456789abcdef";

bool IsPositional(const ScriptedFailure& f) {
  switch (f.kind) {
    case FailureKind::kErrorFrame:
    case FailureKind::kCorruptFrame:
    case FailureKind::kStall:
      return true;
    case FailureKind::kAbruptClose:
      return !f.after_ms.has_value();
    default:
      return false;
  }
}

}  // namespace

uint64_t MixSeed(uint64_t a, uint64_t b) {
  return SeededRandom(a ^ (b * 0xD6E8FEB86659FD93ULL) ^ 0xA0761D6478BD642FULL).Next();
}

uint64_t HashText(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

uint64_t TurnSeed(uint64_t script_seed, std::string_view first_user_text, size_t turn_index) {
  return MixSeed(MixSeed(script_seed, HashText(first_user_text)), turn_index);
}

const ScriptedTurn* SelectTurn(const Script& script, size_t assistant_turns, std::string* message) {
  const size_t n = script.turns.size();
  if (assistant_turns < n) return &script.turns[assistant_turns];
  if (script.loop && n > 0) return &script.turns[assistant_turns % n];
  *message = "script \"" + script.name + "\" is exhausted: it has " + std::to_string(n) +
             " turn(s), no loop, and the conversation already holds " +
             std::to_string(assistant_turns) + " assistant turn(s)";
  return nullptr;
}

TokenUsage ResolveUsage(const ScriptedTurn& turn, size_t request_text_bytes) {
  TokenUsage usage;
  const ScriptedUsage scripted = turn.usage.value_or(ScriptedUsage{});
  usage.input_tokens =
      scripted.input_tokens.value_or(static_cast<int64_t>(request_text_bytes / 4) + 1);
  usage.output_tokens = scripted.output_tokens.value_or(turn.chunk_count());
  usage.total_tokens = scripted.total_tokens.value_or(*usage.input_tokens + *usage.output_tokens);
  return usage;
}

int64_t PlannedChunks(const ScriptedTurn& turn) {
  const ScriptedFailure& f = turn.failure;
  if (IsPreStreamFailure(f.kind)) return 0;
  if (f.kind == FailureKind::kDuplicateFrame) return turn.chunk_count() + 1;
  if (IsPositional(f) && f.kind != FailureKind::kCorruptFrame) return f.after_chunk;
  return turn.chunk_count();
}

TurnCursor::TurnCursor(const ScriptedTurn& turn, uint64_t turn_seed)
    : turn_(turn), seed_(turn_seed), jitter_(MixSeed(turn_seed, 0x6A177E5)), words_(0) {
  planned_chunks_ = PlannedChunks(turn_);
  // The last delivery carries "last_chunk" only when the whole content goes out.
  total_deliveries_ = planned_chunks_ >= turn_.chunk_count() ? planned_chunks_ : -1;
}

bool TurnCursor::FailureDue() const {
  return !failure_fired_ && IsPositional(turn_.failure) && scripted_ == turn_.failure.after_chunk;
}

void TurnCursor::StartMessage() {
  message_started_ = true;
  words_ = SeededRandom(MixSeed(seed_, 0x3E55A6E0 + message_));
  word_ = {};
  word_pos_ = 0;
}

std::chrono::milliseconds TurnCursor::NextDelay() {
  const int64_t base = delivered_ == 0 ? turn_.time_to_first_chunk_ms : turn_.chunk_delay_ms;
  const int64_t jitter =
      turn_.jitter_ms > 0
          ? static_cast<int64_t>(jitter_.UpTo(static_cast<uint64_t>(turn_.jitter_ms)))
          : 0;
  return std::chrono::milliseconds(base + jitter);
}

const TurnEvent& TurnCursor::Next() {
  using Kind = TurnEvent::Kind;
  if (pending_duplicate_) {
    // The same chunk again, at once; text and tool_id still point where they did.
    pending_duplicate_ = false;
    ++delivered_;
    event_.duplicated = true;
    event_.delay = std::chrono::milliseconds(0);
    event_.last_chunk = delivered_ == total_deliveries_;
    return event_;
  }
  if (finished_) {
    event_ = TurnEvent{};
    return event_;
  }
  if (FailureDue()) {
    failure_fired_ = true;
    if (turn_.failure.kind != FailureKind::kCorruptFrame) finished_ = true;
    event_ = TurnEvent{};
    event_.kind = Kind::kFailure;
    event_.message_index = message_;
    return event_;
  }
  while (message_ < turn_.messages.size()) {
    const ScriptedMessage& m = turn_.messages[message_];
    const bool has_text = text_chunk_ < m.text_chunks();
    const bool has_fragment = tool_ < m.tool_calls.size();
    if (has_text || has_fragment) {
      const bool first = !message_started_;
      if (first) StartMessage();
      event_ = TurnEvent{};
      event_.kind = Kind::kChunk;
      event_.message_index = message_;
      event_.first_in_message = first;
      event_.delay = NextDelay();
      if (has_text) {
        if (m.text) {
          const size_t i = static_cast<size_t>(text_chunk_);
          const uint32_t begin = i == 0 ? 0 : m.text_chunk_ends[i - 1];
          event_.text = std::string_view(*m.text).substr(begin, m.text_chunk_ends[i] - begin);
        } else {
          // Seeded words flowing across chunk boundaries, cut to the chunk size.
          const size_t size = static_cast<size_t>(m.generated_chunk_size);
          generated_.resize(size);
          for (size_t i = 0; i < size; ++i) {
            if (word_pos_ == word_.size()) {
              word_ = kWords[words_.Next() % kWords.size()];
              word_pos_ = 0;
            }
            generated_[i] = word_[word_pos_++];
          }
          event_.text = generated_;
        }
        ++text_chunk_;
      } else {
        const ScriptedToolCall& call = m.tool_calls[tool_];
        if (fragment_ == 0) {
          if (!call.id.empty()) {
            tool_id_ = call.id;
          } else {
            uint64_t bits = MixSeed(MixSeed(seed_, 0x7001 + message_), tool_);
            tool_id_.assign("call_");
            for (int i = 0; i < 16; ++i, bits >>= 4) tool_id_.push_back(kHex[bits & 0xF]);
          }
        }
        const uint32_t begin = fragment_ == 0 ? 0 : call.fragment_ends[fragment_ - 1];
        event_.is_tool_fragment = true;
        event_.text = std::string_view(call.arguments_json)
                          .substr(begin, call.fragment_ends[fragment_] - begin);
        event_.tool_index = tool_;
        event_.tool = &call;
        event_.tool_id = tool_id_;
        event_.first_fragment = fragment_ == 0;
        event_.last_fragment = fragment_ + 1 == call.fragment_ends.size();
        if (event_.last_fragment) {
          ++tool_;
          fragment_ = 0;
        } else {
          ++fragment_;
        }
      }
      ++scripted_;
      ++delivered_;
      event_.last_chunk = delivered_ == total_deliveries_;
      if (turn_.failure.kind == FailureKind::kDuplicateFrame &&
          scripted_ == turn_.failure.after_chunk) {
        pending_duplicate_ = true;
      }
      return event_;
    }
    // Every chunk of this message is out.
    event_ = TurnEvent{};
    event_.kind = Kind::kMessageEnd;
    event_.message_index = message_;
    event_.has_tool_calls = !m.tool_calls.empty();
    ++message_;
    text_chunk_ = 0;
    tool_ = 0;
    fragment_ = 0;
    message_started_ = false;
    return event_;
  }
  finished_ = true;
  event_ = TurnEvent{};
  return event_;
}

}  // namespace goose::mock
