#include "server/ws_queue.h"

#include <gtest/gtest.h>

namespace pw::server {
namespace {

TEST(WsSendQueue, EventsKeepTheirOrder) {
  WsSendQueue q(10, 1 << 20);
  EXPECT_EQ(q.Enqueue("a"), WsSendQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue("b"), WsSendQueue::Push::kQueued);
  EXPECT_EQ(*q.Pop(), "a");
  EXPECT_EQ(*q.Pop(), "b");
  EXPECT_FALSE(q.Pop().has_value());
}

TEST(WsSendQueue, StateMessagesCoalesceToTheLatestInPlace) {
  WsSendQueue q(10, 1 << 20);
  q.Enqueue("count=1", "cam1");
  q.Enqueue("event");
  EXPECT_EQ(q.Enqueue("count=2", "cam1"), WsSendQueue::Push::kCoalesced);
  EXPECT_EQ(q.Enqueue("count=3", "cam1"), WsSendQueue::Push::kCoalesced);
  q.Enqueue("other=9", "cam2");
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(*q.Pop(), "count=3");  // keeps the first one's place in the order
  EXPECT_EQ(*q.Pop(), "event");
  EXPECT_EQ(*q.Pop(), "other=9");
  // Once sent, the key starts a new entry.
  EXPECT_EQ(q.Enqueue("count=4", "cam1"), WsSendQueue::Push::kQueued);
}

TEST(WsSendQueue, SlowClientWithOnlyStateMessagesNeverGrows) {
  WsSendQueue q(4, 1 << 20);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_NE(q.Enqueue("state " + std::to_string(i), "key" + std::to_string(i % 3)),
              WsSendQueue::Push::kOverflow);
  }
  EXPECT_EQ(q.size(), 3u);
}

TEST(WsSendQueue, OverflowsOnMessageCountOrBytes) {
  WsSendQueue by_count(2, 1 << 20);
  by_count.Enqueue("1");
  by_count.Enqueue("2");
  EXPECT_EQ(by_count.Enqueue("3"), WsSendQueue::Push::kOverflow);
  EXPECT_EQ(by_count.size(), 2u);

  WsSendQueue by_bytes(100, 10);
  EXPECT_EQ(by_bytes.Enqueue("12345678"), WsSendQueue::Push::kQueued);
  EXPECT_EQ(by_bytes.Enqueue("123"), WsSendQueue::Push::kOverflow);
  EXPECT_EQ(by_bytes.bytes(), 8u);
  EXPECT_EQ(*by_bytes.Pop(), "12345678");
  EXPECT_EQ(by_bytes.bytes(), 0u);
}

}  // namespace
}  // namespace pw::server
