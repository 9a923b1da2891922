#include "core/base/byte_queue.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/answer_budget.h"

namespace goose {
namespace {

std::string Sent(ByteQueue& q, size_t at_most) {
  iovec vecs[4];
  const int n = q.Gather(vecs, 4);
  std::string out;
  for (int i = 0; i < n && out.size() < at_most; ++i) {
    out.append(static_cast<const char*>(vecs[i].iov_base),
               std::min(vecs[i].iov_len, at_most - out.size()));
  }
  q.Consume(out.size());
  return out;
}

TEST(ByteQueueTest, KeepsOrderAcrossCopiedAndMovedBlocks) {
  ByteQueue q;
  q.Append(std::string_view("head "));
  std::string body(100 * 1024, 'b');
  const char* body_data = body.data();
  q.Append(std::move(body));
  q.Append(std::string_view(" tail"));
  EXPECT_EQ(q.size(), 5 + 100 * 1024 + 5);
  iovec vecs[4];
  ASSERT_EQ(q.Gather(vecs, 4), 3);
  EXPECT_EQ(vecs[1].iov_base, body_data);  // moved, not copied
  const size_t held = q.bytes_held();
  EXPECT_GE(held, q.size());
  EXPECT_EQ(Sent(q, 3), "hea");
  EXPECT_EQ(q.bytes_held(), held);  // a block goes only when all of it is sent
  EXPECT_EQ(q.At(0), 'd');
  const std::string rest = q.ToString();
  EXPECT_EQ(rest.substr(0, 2), "d ");
  EXPECT_EQ(rest.substr(rest.size() - 5), " tail");
  q.Consume(2);                            // the rest of the first block: it goes
  EXPECT_LE(q.bytes_held(), held - 4096);  // its block (4 KiB, a small queue's) is freed
  q.Consume(q.size());
  EXPECT_TRUE(q.empty());
}

TEST(ByteQueueTest, CopiesIntoBoundedBlocks) {
  ByteQueue q;
  const std::string piece(1000, 'x');
  for (int i = 0; i < 1000; ++i) q.Append(std::string_view(piece));
  iovec vecs[64];
  const int n = q.Gather(vecs, 64);
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    EXPECT_LE(vecs[i].iov_len, 4 * ByteQueue::kBlockBytes);
    total += vecs[i].iov_len;
  }
  EXPECT_EQ(total, 1000u * 1000u);
}

TEST(ByteQueueTest, TruncatesAndAppendsQueues) {
  ByteQueue q;
  q.Append(std::string_view("[1,2,"));
  q.Truncate(q.size() - 1);
  q.Append(std::string_view("]"));
  ByteQueue other;
  other.Append(std::string_view("xx{\"a\":"));
  other.Consume(2);
  other.Append(std::string(2000, '7'));
  q.Append(std::move(other));
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(q.ToString(), "[1,2]{\"a\":" + std::string(2000, '7'));
  q.Truncate(3);
  EXPECT_EQ(q.ToString(), "[1,");
  q.Truncate(0);
  EXPECT_TRUE(q.empty());
}

TEST(AnswerBudgetTest, RefusesLargeAnswersPastTheLimitNeverSmallOnes) {
  AnswerBudget budget(1 << 20);
  std::optional<AnswerBudget::Charge> a = budget.TryCharge(600 * 1024);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget.TryCharge(600 * 1024).has_value());
  EXPECT_EQ(budget.refused(), 1);
  // Small answers pass whatever is held.
  std::optional<AnswerBudget::Charge> small = budget.TryCharge(AnswerBudget::kSmallAnswerBytes);
  EXPECT_TRUE(small.has_value());
  a->Set(100);  // most of it was sent
  EXPECT_TRUE(budget.TryCharge(600 * 1024).has_value());
  a.reset();
  small.reset();
  EXPECT_EQ(budget.in_use(), 0u);
}

}  // namespace
}  // namespace goose
