// RateLimiter: a token bucket per client (the remote address without its port) for one class of
// expensive routes (decoding frames, uploads, WebRTC sessions). A client may spend `rate.count`
// requests at once and then `rate.count` per period; a client over it gets 429 with Retry-After
// and the others are unaffected.
//
// Bound: at most `max_clients` buckets; when full, the bucket idle longest is dropped (a dropped
// client starts again with a full bucket — the bound costs leniency, never correctness for others).
// Thread-safe (one mutex; Take is a map lookup and a few arithmetic operations).
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/rate.h"
#include "server/http.h"

namespace pw::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(std::string name, core::Rate rate, std::size_t max_clients = 4096);

  // nullopt: allowed (one token taken). Otherwise the seconds until a token is back.
  std::optional<double> Take(const std::string& client, Clock::time_point now = Clock::now());

  // The 429 for a refused request (Retry-After in whole seconds, at least 1).
  Response TooMany(double retry_after_s) const;
  // The guard for Router::Guard: refuses with TooMany when the request's client is over.
  std::optional<Response> Check(const Request& req);

  const std::string& name() const { return name_; }
  std::uint64_t refused() const;
  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
    std::list<std::string>::iterator lru;
  };
  std::string name_;
  core::Rate rate_;
  std::size_t max_clients_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // most recently used first
  std::uint64_t refused_ = 0;
};

}  // namespace pw::server
