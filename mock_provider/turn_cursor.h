// TurnCursor: walks one scripted turn, chunk by chunk.
//
// Both players of a script — the in-process MockReplyStream and mock-llm's
// HTTP writers — ask a TurnCursor for the next event (a chunk with the delay
// to wait before it, the end of a message, the scripted failure, the end of
// the turn) and turn it into their own items or frames. The cursor does the
// script's arithmetic once: chunk boundaries, seeded generated text, seeded
// tool-call ids, jitter, where the failure falls, which chunk is the last.
//
// Determinism: everything random comes from a per-turn seed made of the
// script seed, the conversation's first user text and the turn index
// (TurnSeed), never from a shared generator, so concurrent conversations
// cannot change each other's answers.
//
// Cost: Next() does no heap allocation after the first chunk of a message;
// text views point into the script or into the cursor's own buffers.
//
// Not thread-safe; one consumer. REQUIRES: the turn outlives the cursor.

#ifndef GOOSE_MOCK_PROVIDER_TURN_CURSOR_H_
#define GOOSE_MOCK_PROVIDER_TURN_CURSOR_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/session.h"
#include "mock_provider/script.h"

namespace goose::mock {

// splitmix64: a small, fast, well-mixed generator; cheap to seed per turn.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound]; bound >= 0.
  uint64_t UpTo(uint64_t bound) { return bound == 0 ? 0 : Next() % (bound + 1); }

 private:
  uint64_t state_;
};

// Mixes values into one 64-bit seed.
uint64_t MixSeed(uint64_t a, uint64_t b);

// 64-bit FNV-1a of `text`.
uint64_t HashText(std::string_view text);

// The seed of one turn of one conversation.
uint64_t TurnSeed(uint64_t script_seed, std::string_view first_user_text, size_t turn_index);

// Which scripted turn a request gets: the number of assistant turns already
// in its conversation (maximal runs of consecutive assistant messages, so a
// multi-message turn counts once), wrapped when the script loops. Null when
// the script is exhausted. `*message` explains an exhausted script.
const ScriptedTurn* SelectTurn(const Script& script, size_t assistant_turns, std::string* message);

// Token counts for a finished turn: the scripted ones, else derived
// (input: one per 4 bytes of request text, at least 1; output: one per
// chunk; total: input + output).
TokenUsage ResolveUsage(const ScriptedTurn& turn, size_t request_text_bytes);

// Chunks a stream of `turn` delivers up to its failure point (a duplicated
// chunk counts twice; a pre-stream failure delivers none).
int64_t PlannedChunks(const ScriptedTurn& turn);

struct TurnEvent {
  enum class Kind {
    kChunk,       // a text piece or an argument fragment; wait `delay` first
    kMessageEnd,  // the message `message_index` is complete
    kFailure,     // the scripted mid-stream failure is due now
    kEnd,         // every chunk was delivered (a kNoDone turn fails here)
  };
  Kind kind = Kind::kEnd;
  std::chrono::milliseconds delay{0};  // kChunk only
  size_t message_index = 0;
  bool first_in_message = false;  // the first chunk of its message
  bool last_chunk = false;        // the final delivery of the turn's content

  // kChunk: a text piece, or an argument fragment of tool call `tool_index`.
  bool is_tool_fragment = false;
  std::string_view text;  // the piece / fragment
  size_t tool_index = 0;  // within the message
  const ScriptedToolCall* tool = nullptr;
  std::string_view tool_id;  // scripted or seeded; valid until the call ends
  bool first_fragment = false;
  bool last_fragment = false;
  // The second delivery of the previous chunk (kDuplicateFrame): every
  // other field is as it was, so a player can send the very same frame.
  bool duplicated = false;

  // kMessageEnd: whether the message asked for tools (finish reason).
  bool has_tool_calls = false;
};

class TurnCursor {
 public:
  TurnCursor(const ScriptedTurn& turn, uint64_t turn_seed);
  TurnCursor(const TurnCursor&) = delete;
  TurnCursor& operator=(const TurnCursor&) = delete;

  // The next event. After kEnd or a kFailure of a kind that ends the stream
  // (everything but kCorruptFrame), keeps returning kEnd. The reference
  // stays valid until the next call.
  const TurnEvent& Next();

  const ScriptedTurn& turn() const { return turn_; }
  // Chunks the turn delivers up to its failure point (a duplicated chunk
  // counts twice): what a stream of this turn produces.
  int64_t planned_chunks() const { return planned_chunks_; }
  // Chunks handed out so far (duplicates included).
  int64_t chunks_delivered() const { return delivered_; }
  // Bytes of reply this cursor holds in its own buffers (for the ledger).
  size_t buffered_bytes() const { return generated_.size() + tool_id_.size(); }

 private:
  bool FailureDue() const;
  void StartMessage();
  std::chrono::milliseconds NextDelay();

  const ScriptedTurn& turn_;
  const uint64_t seed_;
  SeededRandom jitter_;
  SeededRandom words_;
  TurnEvent event_;
  int64_t planned_chunks_ = 0;
  int64_t total_deliveries_ = 0;

  size_t message_ = 0;      // current message
  int64_t text_chunk_ = 0;  // next text chunk within it
  size_t tool_ = 0;         // next tool call within it
  size_t fragment_ = 0;     // next fragment within that call
  bool message_started_ = false;
  int64_t delivered_ = 0;  // deliveries so far
  int64_t scripted_ = 0;   // scripted chunks so far (not counting duplicates)
  bool failure_fired_ = false;
  bool pending_duplicate_ = false;
  bool finished_ = false;
  std::string generated_;  // the current generated chunk
  std::string_view word_;  // the generated word being written out
  size_t word_pos_ = 0;    // bytes of word_ already written
  std::string tool_id_;    // the current tool call's id
};

}  // namespace goose::mock

#endif  // GOOSE_MOCK_PROVIDER_TURN_CURSOR_H_
