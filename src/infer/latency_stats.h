// Rolling latency percentiles and throughput for the engine's status.
//
// LatencyWindow keeps the last `capacity` samples (a fixed ring: bounded memory) and reports
// p50/p95 over them. RateMeter counts events in the last `window` seconds.
// Thread-safety: none; the engine guards them with its stats mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <vector>

namespace pw::infer {

struct LatencySummary {
  double p50_ms = 0;
  double p95_ms = 0;
  std::size_t samples = 0;
};

class LatencyWindow {
 public:
  explicit LatencyWindow(std::size_t capacity = 512) : capacity_(capacity) {}
  void Add(double ms);
  LatencySummary Summary() const;

 private:
  std::size_t capacity_;
  std::size_t next_ = 0;
  std::vector<double> samples_;
};

class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateMeter(std::chrono::seconds window = std::chrono::seconds(10)) : window_(window) {}
  void Add(Clock::time_point when, std::size_t count = 1);
  // Events per second over the window ending at `now`.
  double PerSecond(Clock::time_point now);

 private:
  void Trim(Clock::time_point now);
  std::chrono::seconds window_;
  std::deque<std::pair<Clock::time_point, std::size_t>> events_;  // bounded by Trim
};

}  // namespace pw::infer
