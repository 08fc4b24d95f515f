// RateLimiter: counts failures (wrong passwords) per key (a client address, a user name) in a
// sliding window; a key with `max_failures` failures inside the window must wait until the oldest
// one leaves it. Success does not erase failures of a client address, only Reset() does.
//
// Memory is bounded: at most `max_keys` keys are tracked; beyond that, keys whose failures all left
// the window are dropped first, then the key seen longest ago (an attacker spraying addresses
// cannot grow it).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pw::auth {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(int max_failures, std::chrono::seconds window, std::size_t max_keys = 10000);

  // Whole seconds `key` must wait before its next attempt (0: it may try now).
  int RetryAfterSeconds(const std::string& key, Clock::time_point now = Clock::now());
  void RecordFailure(const std::string& key, Clock::time_point now = Clock::now());
  void Reset(const std::string& key);

 private:
  void Prune(const std::string& key, Clock::time_point now);
  void Evict(Clock::time_point now);

  const int max_failures_;
  const std::chrono::seconds window_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;  // oldest first
};

}  // namespace pw::auth
