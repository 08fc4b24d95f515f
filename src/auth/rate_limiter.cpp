#include "auth/rate_limiter.h"

#include <algorithm>

namespace pw::auth {

RateLimiter::RateLimiter(int max_failures, std::chrono::seconds window, std::size_t max_keys)
    : max_failures_(std::max(1, max_failures)), window_(window), max_keys_(std::max<std::size_t>(1, max_keys)) {}

void RateLimiter::Prune(const std::string& key, Clock::time_point now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return;
  auto& q = it->second;
  while (!q.empty() && q.front() + window_ <= now) q.pop_front();
  if (q.empty()) failures_.erase(it);
}

int RateLimiter::RetryAfterSeconds(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Prune(key, now);
  auto it = failures_.find(key);
  if (it == failures_.end() || static_cast<int>(it->second.size()) < max_failures_) return 0;
  auto free_at = it->second[it->second.size() - static_cast<std::size_t>(max_failures_)] + window_;
  auto wait = std::chrono::ceil<std::chrono::seconds>(free_at - now).count();
  return static_cast<int>(std::max<long long>(1, wait));
}

void RateLimiter::RecordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Prune(key, now);
  if (failures_.find(key) == failures_.end() && failures_.size() >= max_keys_) Evict(now);
  auto& q = failures_[key];
  q.push_back(now);
  while (static_cast<int>(q.size()) > max_failures_) q.pop_front();  // older ones no longer matter
}

void RateLimiter::Reset(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

void RateLimiter::Evict(Clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    it = it->second.back() + window_ <= now ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() < max_keys_) return;
  auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                 [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
  failures_.erase(oldest);
}

}  // namespace pw::auth
