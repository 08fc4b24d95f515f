#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace pw::core {
namespace {

TEST(ThreadPool, RunsEverySubmittedTask) {
  std::atomic<int> done{0};
  {
    ThreadPool pool("test", 2, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { done++; }));
  }  // the destructor drains the queue, then joins
  EXPECT_EQ(done.load(), 500);
}

TEST(ThreadPool, RefusesWorkBeyondItsQueueBound) {
  // The gate outlives the pool (declared first): the queued tasks run during the pool's destructor.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ThreadPool pool("test", 1, 2);
  ASSERT_TRUE(pool.Submit([&] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));  // third queued task: over the bound of 2
  EXPECT_EQ(pool.queued(), 2u);
  release.set_value();
}

}  // namespace
}  // namespace pw::core
