// ByteQueue: bytes waiting to be sent, kept as a list of blocks and taken
// from the front.
//
// An answer is appended in pieces and sent as the client takes it. Moving a
// finished string in costs no copy; appending a view copies into blocks of
// at most kBlockBytes (from 4 KiB, growing with the queue), so a queue
// never holds more than its bytes plus one block's spare room (a std::string grown by appending may
// hold twice its size, and copies everything on each doubling).
//
// Not thread-safe.

#ifndef GOOSE_CORE_BASE_BYTE_QUEUE_H_
#define GOOSE_CORE_BASE_BYTE_QUEUE_H_

#include <sys/uio.h>

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <vector>

namespace goose {

class ByteQueue {
 public:
  static constexpr size_t kBlockBytes = 64 * 1024;

  ByteQueue() = default;
  ByteQueue(ByteQueue&&) = default;
  ByteQueue& operator=(ByteQueue&&) = default;
  ByteQueue(const ByteQueue&) = delete;
  ByteQueue& operator=(const ByteQueue&) = delete;

  // Makes room for `bytes` more in one block, for an answer whose size is
  // known about: no block of it is part-empty but the last, and (at 1 MiB
  // and more) the block is mapped on its own and unmapped when sent
  // (memory_release.h), instead of staying in an allocator's arena.
  void Reserve(size_t bytes);
  // Copies `bytes` to the back.
  void Append(std::string_view bytes);
  // Takes `bytes` as a block of its own, without copying.
  void Append(std::string&& bytes);
  // Moves every block of `other` to the back; `other` is left empty.
  void Append(ByteQueue&& other);

  // Bytes queued.
  size_t size() const { return size_; }
  // Memory its blocks hold: a block goes only once all of it is consumed.
  size_t bytes_held() const { return held_; }
  bool empty() const { return size_ == 0; }

  // Drops everything from byte `size` on. REQUIRES: size <= this->size().
  void Truncate(size_t size);
  // The byte at `pos`, counted from the front. REQUIRES: pos < size().
  char At(size_t pos) const;

  // Fills up to `max` iovecs with the first bytes, for sendmsg(); returns
  // how many it filled.
  int Gather(iovec* vecs, int max) const;
  // Drops the first `n` bytes. REQUIRES: n <= size().
  void Consume(size_t n);

  // Every queued byte, block by block, in order (valid until the queue
  // changes).
  std::vector<std::string_view> Views() const;

  // Everything as one string (tests, small answers).
  std::string ToString() const;

 private:
  // A list: nothing allocated while empty (every connection has two).
  std::list<std::string> blocks_;
  size_t front_offset_ = 0;  // consumed bytes of blocks_.front()
  size_t size_ = 0;
  size_t held_ = 0;            // the blocks' capacities
  bool back_is_ours_ = false;  // blocks_.back() was made here and may grow
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_BYTE_QUEUE_H_
