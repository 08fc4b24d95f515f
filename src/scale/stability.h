// StabilityDetector: PigWeight's own "is the weight settled?" test, for indicators that send no
// stable flag (or to double-check the one they send).
//
// Rule: stable when the samples of the last `window_seconds` span at least that long and all lie
// within ±tolerance_kg of their midpoint (max − min ≤ 2·tolerance_kg). A gap longer than the
// window (no samples) starts over. StabilityRule says how the indicator's flag and this detector
// combine.
// Bound: at most kMaxSamples samples are kept (oldest dropped first; at 10 Hz that is minutes).
// Not thread-safe: one reader thread owns it.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace pw::scale {

struct StabilityOptions {
  double window_seconds = 2.0;
  double tolerance_kg = 0.5;
};

enum class StabilityRule {
  kIndicatorOrOwn,   // the indicator's flag when the line has one, else our detector (default)
  kIndicatorAndOwn,  // both must agree that it is stable (a flagless line uses our detector)
  kOwnOnly,          // ignore the indicator's flag
};

// "indicator", "both", "own" (what a config file or SCALE_STABILITY holds).
core::Result<StabilityRule> ParseStabilityRule(std::string_view text);
std::string_view StabilityRuleName(StabilityRule rule);

// Combines the indicator's flag with the detector's verdict according to `rule`.
bool CombineStability(StabilityRule rule, std::optional<bool> indicator_stable, bool own_stable);

class StabilityDetector {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxSamples = 4096;

  explicit StabilityDetector(StabilityOptions options) : options_(options) {}

  // Adds a sample taken at `t` (non-decreasing) and returns whether the weight is now stable.
  bool Add(Clock::time_point t, double kg);
  void Reset() { samples_.clear(); }

 private:
  struct Sample {
    Clock::time_point t;
    double kg;
  };
  StabilityOptions options_;
  std::deque<Sample> samples_;
};

}  // namespace pw::scale
