#include "scale/stability.h"

#include <gtest/gtest.h>

namespace pw::scale {
namespace {

using Clock = StabilityDetector::Clock;
using std::chrono::milliseconds;

TEST(ScaleStabilityDetector, BecomesStableOnlyAfterAFullWindowWithinTolerance) {
  StabilityDetector d({.window_seconds = 1.0, .tolerance_kg = 0.5});
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  bool stable = false;
  for (int i = 0; i <= 9; ++i) stable = d.Add(t0 + milliseconds(100 * i), 100.0 + (i % 2 ? 0.4 : -0.4));
  EXPECT_FALSE(stable);  // 0.9 s covered
  EXPECT_TRUE(d.Add(t0 + milliseconds(1000), 100.0));
}

TEST(ScaleStabilityDetector, MovingWeightIsNotStableAndSettlingBecomesStable) {
  StabilityDetector d({.window_seconds = 0.5, .tolerance_kg = 1.0});
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  int ms = 0;
  for (; ms <= 2000; ms += 100) EXPECT_FALSE(d.Add(t0 + milliseconds(ms), ms * 0.1)) << ms;  // ramp 10 kg/s
  bool stable = false;
  for (int i = 0; i < 5; ++i, ms += 100) stable = d.Add(t0 + milliseconds(ms), 250.0);
  EXPECT_FALSE(stable);  // window still holds the ramp's last sample
  stable = d.Add(t0 + milliseconds(ms), 250.5);
  EXPECT_TRUE(stable);
  EXPECT_FALSE(d.Add(t0 + milliseconds(ms + 100), 253.0));  // a jump beyond ±1 kg
}

TEST(ScaleStabilityDetector, AGapLongerThanTheWindowStartsOver) {
  StabilityDetector d({.window_seconds = 0.5, .tolerance_kg = 1.0});
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  for (int ms = 0; ms <= 600; ms += 100) d.Add(t0 + milliseconds(ms), 10);
  EXPECT_FALSE(d.Add(t0 + milliseconds(5000), 10));
}

TEST(ScaleStabilityRule, CombinesIndicatorFlagAndOwnVerdict) {
  using R = StabilityRule;
  EXPECT_TRUE(CombineStability(R::kIndicatorOrOwn, true, false));
  EXPECT_FALSE(CombineStability(R::kIndicatorOrOwn, false, true));
  EXPECT_TRUE(CombineStability(R::kIndicatorOrOwn, std::nullopt, true));
  EXPECT_FALSE(CombineStability(R::kIndicatorAndOwn, true, false));
  EXPECT_TRUE(CombineStability(R::kIndicatorAndOwn, true, true));
  EXPECT_TRUE(CombineStability(R::kIndicatorAndOwn, std::nullopt, true));
  EXPECT_TRUE(CombineStability(R::kOwnOnly, false, true));
  EXPECT_FALSE(CombineStability(R::kOwnOnly, true, false));
}

TEST(ScaleStabilityRule, ParsesItsConfigNamesAndRejectsOthers) {
  for (auto rule : {StabilityRule::kIndicatorOrOwn, StabilityRule::kIndicatorAndOwn, StabilityRule::kOwnOnly}) {
    auto parsed = ParseStabilityRule(StabilityRuleName(rule));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, rule);
  }
  EXPECT_EQ(ParseStabilityRule("sometimes").status().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pw::scale
