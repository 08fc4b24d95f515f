#include "infer/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace pw::infer {

void LatencyWindow::Add(double ms) {
  if (samples_.size() < capacity_) {
    samples_.push_back(ms);
  } else {
    samples_[next_] = ms;
  }
  next_ = (next_ + 1) % capacity_;
}

LatencySummary LatencyWindow::Summary() const {
  LatencySummary s;
  s.samples = samples_.size();
  if (samples_.empty()) return s;
  std::vector<double> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))) - 1;
    return sorted[std::min(i, sorted.size() - 1)];
  };
  s.p50_ms = at(0.50);
  s.p95_ms = at(0.95);
  return s;
}

void RateMeter::Add(Clock::time_point when, std::size_t count) {
  events_.emplace_back(when, count);
  Trim(when);
}

double RateMeter::PerSecond(Clock::time_point now) {
  Trim(now);
  std::size_t total = 0;
  for (const auto& e : events_) total += e.second;
  return static_cast<double>(total) / static_cast<double>(window_.count());
}

void RateMeter::Trim(Clock::time_point now) {
  while (!events_.empty() && now - events_.front().first > window_) events_.pop_front();
}

}  // namespace pw::infer
