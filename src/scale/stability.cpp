#include "scale/stability.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace pw::scale {

core::Result<StabilityRule> ParseStabilityRule(std::string_view text) {
  if (text == "indicator") return StabilityRule::kIndicatorOrOwn;
  if (text == "both") return StabilityRule::kIndicatorAndOwn;
  if (text == "own") return StabilityRule::kOwnOnly;
  return core::Status::InvalidArgument(
      fmt::format("scale stability rule '{}' is unknown: use indicator, both or own", text));
}

std::string_view StabilityRuleName(StabilityRule rule) {
  switch (rule) {
    case StabilityRule::kIndicatorOrOwn: return "indicator";
    case StabilityRule::kIndicatorAndOwn: return "both";
    case StabilityRule::kOwnOnly: return "own";
  }
  return "indicator";
}

bool CombineStability(StabilityRule rule, std::optional<bool> indicator_stable, bool own_stable) {
  if (!indicator_stable || rule == StabilityRule::kOwnOnly) return own_stable;
  if (rule == StabilityRule::kIndicatorAndOwn) return *indicator_stable && own_stable;
  return *indicator_stable;
}

bool StabilityDetector::Add(Clock::time_point t, double kg) {
  auto window = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.window_seconds));
  if (!samples_.empty() && t - samples_.back().t > window) samples_.clear();  // a gap: start over
  samples_.push_back({t, kg});
  // Keep the newest sample at or before t - window (it anchors "the span covers the window").
  while (samples_.size() > 1 && samples_[1].t <= t - window) samples_.pop_front();
  while (samples_.size() > kMaxSamples) samples_.pop_front();
  if (t - samples_.front().t < window) return false;
  auto [lo, hi] = std::minmax_element(samples_.begin(), samples_.end(),
                                      [](const Sample& a, const Sample& b) { return a.kg < b.kg; });
  return hi->kg - lo->kg <= 2 * options_.tolerance_kg;
}

}  // namespace pw::scale
