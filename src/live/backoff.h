// Backoff: reconnect delays that double from `min` to `max` with jitter, so that many cameras
// behind one failed switch do not reconnect in lock-step. Delay n is uniformly drawn from
// [d/2, d] where d = min(max, min * 2^n). Reset() after a connection that delivered frames.
// Not thread-safe (one per ingest thread).
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace pw::live {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(min), max_(std::max(min, max)), rng_(std::random_device{}()) {}

  std::chrono::milliseconds Next() {
    auto d = min_;
    for (int i = 0; i < attempt_ && d < max_; ++i) d *= 2;
    d = std::min(d, max_);
    ++attempt_;
    std::uniform_int_distribution<long long> pick(d.count() / 2, d.count());
    return std::chrono::milliseconds(pick(rng_));
  }
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds min_, max_;
  int attempt_ = 0;
  std::mt19937 rng_;
};

}  // namespace pw::live
