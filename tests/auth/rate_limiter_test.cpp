#include <gtest/gtest.h>

#include "auth/rate_limiter.h"

namespace pw::auth {
namespace {

using std::chrono::seconds;

TEST(RateLimiter, FiveFailuresInAMinuteBlockUntilTheOldestAgesOut) {
  RateLimiter limiter(5, seconds(60));
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.RetryAfterSeconds("ip:1", t0 + seconds(i)), 0);
    limiter.RecordFailure("ip:1", t0 + seconds(i));
  }
  EXPECT_EQ(limiter.RetryAfterSeconds("ip:1", t0 + seconds(5)), 55);
  EXPECT_EQ(limiter.RetryAfterSeconds("ip:2", t0 + seconds(5)), 0) << "another client is not affected";
  EXPECT_EQ(limiter.RetryAfterSeconds("ip:1", t0 + seconds(60)), 0) << "the first failure left the window";
}

TEST(RateLimiter, ResetForgetsAKey) {
  RateLimiter limiter(2, seconds(60));
  auto now = RateLimiter::Clock::now();
  limiter.RecordFailure("user:a", now);
  limiter.RecordFailure("user:a", now);
  EXPECT_GT(limiter.RetryAfterSeconds("user:a", now), 0);
  limiter.Reset("user:a");
  EXPECT_EQ(limiter.RetryAfterSeconds("user:a", now), 0);
}

TEST(RateLimiter, TracksAtMostMaxKeysDroppingTheStalest) {
  RateLimiter limiter(1, seconds(60), 3);
  auto now = RateLimiter::Clock::now();
  for (int i = 0; i < 4; ++i) limiter.RecordFailure("k" + std::to_string(i), now + seconds(i));
  EXPECT_EQ(limiter.RetryAfterSeconds("k0", now + seconds(4)), 0) << "the oldest key was dropped";
  EXPECT_GT(limiter.RetryAfterSeconds("k3", now + seconds(4)), 0);
}

}  // namespace
}  // namespace pw::auth
