#include "core/base/byte_queue.h"

#include <algorithm>
#include <cassert>

namespace goose {

void ByteQueue::Reserve(size_t bytes) {
  if (back_is_ours_ && blocks_.back().capacity() - blocks_.back().size() >= bytes) return;
  blocks_.emplace_back();
  blocks_.back().reserve(bytes);
  held_ += blocks_.back().capacity();
  back_is_ours_ = true;
}

void ByteQueue::Append(std::string_view bytes) {
  while (!bytes.empty()) {
    if (!back_is_ours_ || blocks_.back().size() == blocks_.back().capacity()) {
      // Blocks grow with the queue (4 KiB for a small answer, up to
      // kBlockBytes), so a few bytes after a moved block cost little.
      const size_t room = std::min(kBlockBytes, std::max<size_t>(4096, size_ / 4));
      blocks_.emplace_back();
      blocks_.back().reserve(std::max(room, std::min(bytes.size(), 4 * kBlockBytes)));
      held_ += blocks_.back().capacity();
      back_is_ours_ = true;
    }
    std::string& back = blocks_.back();
    const size_t take = std::min(bytes.size(), back.capacity() - back.size());
    back.append(bytes.data(), take);
    size_ += take;
    bytes.remove_prefix(take);
  }
}

void ByteQueue::Append(std::string&& bytes) {
  if (bytes.empty()) return;
  if (bytes.size() < 1024) {  // a small piece joins the last block
    Append(std::string_view(bytes));
    return;
  }
  size_ += bytes.size();
  held_ += bytes.capacity();
  blocks_.push_back(std::move(bytes));
  back_is_ours_ = false;
}

void ByteQueue::Append(ByteQueue&& other) {
  if (other.empty()) return;
  other.blocks_.front().erase(0, other.front_offset_);
  for (std::string& block : other.blocks_) blocks_.push_back(std::move(block));
  size_ += other.size_;
  held_ += other.held_;
  other.held_ = 0;
  back_is_ours_ = other.back_is_ours_;
  other.blocks_.clear();
  other.front_offset_ = 0;
  other.size_ = 0;
  other.back_is_ours_ = false;
}

void ByteQueue::Truncate(size_t size) {
  assert(size <= size_);
  size_t drop = size_ - size;
  while (drop > 0) {
    std::string& back = blocks_.back();
    const size_t usable = blocks_.size() == 1 ? back.size() - front_offset_ : back.size();
    if (drop < usable) {
      back.resize(back.size() - drop);
      break;
    }
    drop -= usable;
    held_ -= back.capacity();
    blocks_.pop_back();
    back_is_ours_ = false;
    if (blocks_.empty()) front_offset_ = 0;
  }
  size_ = size;
}

char ByteQueue::At(size_t pos) const {
  assert(pos < size_);
  pos += front_offset_;
  for (const std::string& block : blocks_) {
    if (pos < block.size()) return block[pos];
    pos -= block.size();
  }
  return '\0';
}

int ByteQueue::Gather(iovec* vecs, int max) const {
  int n = 0;
  size_t skip = front_offset_;
  for (const std::string& block : blocks_) {
    if (n == max) break;
    vecs[n].iov_base = const_cast<char*>(block.data() + skip);
    vecs[n].iov_len = block.size() - skip;
    skip = 0;
    ++n;
  }
  return n;
}

void ByteQueue::Consume(size_t n) {
  assert(n <= size_);
  size_ -= n;
  while (n > 0) {
    const size_t left = blocks_.front().size() - front_offset_;
    if (n < left) {
      front_offset_ += n;
      return;
    }
    n -= left;
    held_ -= blocks_.front().capacity();
    blocks_.pop_front();
    front_offset_ = 0;
  }
  if (blocks_.empty()) back_is_ours_ = false;
}

std::vector<std::string_view> ByteQueue::Views() const {
  std::vector<std::string_view> views;
  views.reserve(blocks_.size());
  size_t skip = front_offset_;
  for (const std::string& block : blocks_) {
    if (block.size() > skip) views.emplace_back(block.data() + skip, block.size() - skip);
    skip = 0;
  }
  return views;
}

std::string ByteQueue::ToString() const {
  std::string out;
  out.reserve(size_);
  size_t skip = front_offset_;
  for (const std::string& block : blocks_) {
    out.append(block, skip);
    skip = 0;
  }
  return out;
}

}  // namespace goose
