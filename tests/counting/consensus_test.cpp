// Consensus: mode over an evidence window that restarts at change points, confidence, stable flag.
#include <gtest/gtest.h>

#include "counting/consensus.h"

namespace pw::counting {
namespace {

FrameEvidence At(double t, int count, bool moving = false) {
  FrameEvidence e;
  e.t = t;
  e.count = count;
  e.raw_count = count;
  e.tracks = count;
  e.moving = moving;
  return e;
}

TEST(CountingConsensus, ModeOutvotesSingleFrameMissesAndFalseAlarms) {
  Consensus c;
  const int counts[] = {10, 10, 9, 10, 11, 10, 10, 8, 10, 12, 10, 10};
  CountState s;
  for (int i = 0; i < 12; ++i) {
    s = c.Update(At(0.2 * i, counts[i]));
    EXPECT_EQ(s.count, 10) << "frame " << i;
    EXPECT_EQ(s.raw_count, counts[i]);
  }
  EXPECT_NEAR(s.agreement, 8.0 / 12.0, 1e-9);
  EXPECT_NEAR(s.spread, 6.0 / 12.0, 1e-9);
}

TEST(CountingConsensus, FollowsTheEvidenceAtOnceWhileAnimalsMove) {
  Consensus c;
  for (int i = 0; i < 10; ++i) c.Update(At(0.2 * i, 5));
  EXPECT_EQ(c.Update(At(2.0, 6, true)).count, 6);
  EXPECT_EQ(c.Update(At(2.2, 7, true)).count, 7);
  const CountState s = c.Update(At(2.4, 7, true));
  EXPECT_EQ(s.count, 7);
  EXPECT_FALSE(s.settled);
  EXPECT_DOUBLE_EQ(s.window, 0.0);  // only this frame's evidence
}

TEST(CountingConsensus, SettledSceneChangesCountOnlyWhenRecentFramesAgreeOnANewOne) {
  ConsensusOptions o;
  o.change_seconds = 0.5;
  o.change_frames = 3;
  Consensus c(o);
  for (int i = 0; i < 15; ++i) c.Update(At(0.2 * i, 10));
  // Scattered disagreement is noise.
  EXPECT_EQ(c.Update(At(3.0, 9)).count, 10);
  EXPECT_EQ(c.Update(At(3.2, 11)).count, 10);
  EXPECT_EQ(c.Update(At(3.4, 8)).count, 10);
  // Three frames on one new count: a change, and the window restarts there.
  EXPECT_EQ(c.Update(At(3.6, 9)).count, 10);
  EXPECT_EQ(c.Update(At(3.8, 9)).count, 10);
  const CountState s = c.Update(At(4.0, 9));
  EXPECT_EQ(s.count, 9);
  EXPECT_DOUBLE_EQ(s.since, 4.0);
  EXPECT_NEAR(s.window, 0.4, 1e-9);
  EXPECT_DOUBLE_EQ(s.agreement, 1.0);
}

TEST(CountingConsensus, StableOnlyAfterStableSecondsOfUnchangedCountAndNoMotion) {
  Consensus c;  // stable_seconds 2
  for (int i = 0; i <= 20; ++i) {
    const CountState s = c.Update(At(0.1 * i, 7));
    EXPECT_EQ(s.stable, i >= 20) << "t " << 0.1 * i;
  }
  EXPECT_FALSE(c.Update(At(2.15, 7, true)).stable);  // someone moves
  for (int i = 22; i <= 41; ++i) EXPECT_FALSE(c.Update(At(0.1 * i, 7)).stable) << "t " << 0.1 * i;
  const CountState s = c.Update(At(4.2, 7));
  EXPECT_TRUE(s.stable);
  EXPECT_DOUBLE_EQ(s.since, 0.0);  // the count itself has not changed since the start
}

TEST(CountingConsensus, ConfidenceIsAgreementTimesCoverageOfTheWindow) {
  Consensus c;  // window 3 s
  CountState s = c.Update(At(0.0, 4));
  EXPECT_DOUBLE_EQ(s.window, 0.0);
  EXPECT_DOUBLE_EQ(s.confidence, 0.0);  // one frame is no evidence yet
  for (int i = 1; i <= 30; ++i) s = c.Update(At(0.1 * i, i % 5 == 0 ? 5 : 4));
  EXPECT_EQ(s.count, 4);
  EXPECT_NEAR(s.window, 3.0, 1e-9);
  EXPECT_NEAR(s.agreement, 25.0 / 31.0, 0.04);
  EXPECT_NEAR(s.confidence, s.agreement, 1e-9);
  // Half the window: half the coverage.
  Consensus half;
  for (int i = 0; i <= 14; ++i) s = half.Update(At(0.1 * i, 4));
  EXPECT_NEAR(s.confidence, 0.5, 1e-9);
}

TEST(CountingConsensus, WindowSlidesOverTheLastWindowSeconds) {
  Consensus c;
  CountState s;
  for (int i = 0; i <= 100; ++i) s = c.Update(At(0.1 * i, 3));
  EXPECT_NEAR(s.window, 3.0, 1e-6);
  EXPECT_DOUBLE_EQ(s.t, 10.0);
}

TEST(CountingConsensus, TimeGoingBackStartsOver) {
  Consensus c;
  for (int i = 0; i <= 30; ++i) c.Update(At(10 + 0.1 * i, 6));
  const CountState s = c.Update(At(1.0, 2));
  EXPECT_EQ(s.count, 2);
  EXPECT_DOUBLE_EQ(s.since, 1.0);
  EXPECT_DOUBLE_EQ(s.window, 0.0);
  EXPECT_FALSE(s.stable);
}

TEST(CountingConsensus, JsonCarriesEveryField) {
  CountState s;
  s.count = 53;
  s.raw_count = 52;
  s.confidence = 0.9;
  s.stable = true;
  s.since = 12.5;
  s.window = 3;
  s.t = 20;
  s.tracks = 52;
  const nlohmann::json j = ToJson(s);
  EXPECT_EQ(j["count"], 53);
  EXPECT_EQ(j["raw_count"], 52);
  EXPECT_EQ(j["confidence"], 0.9);
  EXPECT_EQ(j["stable"], true);
  EXPECT_EQ(j["since"], 12.5);
  EXPECT_EQ(j["window"], 3.0);
  EXPECT_EQ(j["t"], 20.0);
  EXPECT_EQ(j["tracks"], 52);
  for (const char* key : {"agreement", "spread", "settled"}) EXPECT_TRUE(j.contains(key)) << key;
}

}  // namespace
}  // namespace pw::counting
