#include "server/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace pw::server {

RateLimiter::RateLimiter(std::string name, core::Rate rate, std::size_t max_clients)
    : name_(std::move(name)), rate_(rate), max_clients_(std::max<std::size_t>(1, max_clients)) {}

std::optional<double> RateLimiter::Take(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(client);
    it = buckets_.emplace(client, Bucket{rate_.count, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    it->second.tokens = std::min(rate_.count, it->second.tokens + std::max(0.0, elapsed) * rate_.per_second());
    it->second.updated = now;
  }
  Bucket& b = it->second;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  ++refused_;
  return (1 - b.tokens) / rate_.per_second();
}

Response RateLimiter::TooMany(double retry_after_s) const {
  const long seconds = std::max(1L, static_cast<long>(std::ceil(retry_after_s)));
  Response r = Response::Error(http::status::too_many_requests, "rate_limited",
                               "too many " + name_ + " requests from this client (limit " + rate_.ToString() +
                                   "); retry in " + std::to_string(seconds) + " s");
  r.headers.set(http::field::retry_after, std::to_string(seconds));
  return r;
}

std::optional<Response> RateLimiter::Check(const Request& req) {
  if (auto wait = Take(req.client_address())) return TooMany(*wait);
  return std::nullopt;
}

std::uint64_t RateLimiter::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

std::size_t RateLimiter::clients() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace pw::server
