// ThreadPool: a fixed set of worker threads running submitted tasks, for work that must not run on
// the network threads (disk scans, database writes, media probing).
//
// Bound and overflow: the queue holds at most `max_queue` tasks; Submit() on a full queue returns
// false at once (the caller answers "busy") instead of growing memory.
// Ownership: the pool owns and joins its threads; the destructor runs the tasks already queued,
// then joins. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pw::core {

class ThreadPool {
 public:
  ThreadPool(std::string name, std::size_t threads, std::size_t max_queue);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; false when the queue is full or the pool is stopping.
  bool Submit(std::function<void()> task);
  std::size_t queued() const;

 private:
  void Loop();

  std::string name_;
  std::size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pw::core
