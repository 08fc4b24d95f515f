// Counter: track evidence corrects the per-frame count where the tracks know better, and gives
// every instance its track id.
#include <gtest/gtest.h>

#include "counting/counter.h"
#include "test_instances.h"

namespace pw::counting {
namespace {

using test::Box;

// Five pigs resting in a 320x192 frame (one box touches each edge, so the frame's extent is known).
std::vector<infer::Instance> Herd() {
  return {Box(0, 40), Box(280, 40), Box(120, 0), Box(120, 172), Box(130, 90)};
}

TEST(CountingCounter, SettledAnimalWhoseDetectionDropsOrDipsStillCounts) {
  Counter counter;
  double t = 0;
  for (int i = 0; i < 15; ++i, t += 0.2) EXPECT_EQ(counter.Update(t, Herd()).state.count, 5);
  auto herd = Herd();
  herd.erase(herd.begin() + 4);  // the middle pig's detection is dropped
  CountFrame out = counter.Update(t, herd);
  t += 0.2;
  EXPECT_EQ(out.state.raw_count, 4);
  EXPECT_EQ(out.state.count, 5);
  herd = Herd();
  herd[2].score = 0.3f;  // a pig at the edge dips below count_score for a frame
  out = counter.Update(t, herd);
  EXPECT_EQ(out.state.raw_count, 4);
  EXPECT_EQ(out.state.count, 5);
  EXPECT_EQ(out.track_ids, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(CountingCounter, ArrivalsAndDeparturesShowInTheFrameTheyHappen) {
  Counter counter;
  double t = 0;
  for (int i = 0; i < 15; ++i, t += 0.2) counter.Update(t, Herd());
  // A sixth pig walks in from the left edge.
  for (int f = 0; f < 6; ++f, t += 0.2) {
    auto herd = Herd();
    herd.push_back(Box(0 + 12.f * f, 120));
    const CountFrame out = counter.Update(t, herd);
    EXPECT_EQ(out.state.count, 6) << "frame " << f;
    EXPECT_EQ(out.track_ids.back() != 0, f >= 2) << "frame " << f;  // confirmed on its third frame
  }
  // It turns round and walks out: gone from the count as soon as the detector loses it.
  for (int f = 5; f >= 0; --f, t += 0.2) counter.Update(t, [&] {
      auto herd = Herd();
      herd.push_back(Box(12.f * f, 120));
      return herd;
    }());
  const CountFrame out = counter.Update(t, Herd());
  EXPECT_EQ(out.state.count, 5);
}

TEST(CountingCounter, OneFrameFalseAlarmInASettledPenIsOutvoted) {
  Counter counter;
  double t = 0;
  for (int i = 0; i < 15; ++i, t += 0.2) counter.Update(t, Herd());
  auto herd = Herd();
  herd.push_back(Box(200, 100, 30, 30, 0.7f));  // inside the pen, not at the gate
  const CountFrame out = counter.Update(t, herd);
  EXPECT_EQ(out.state.raw_count, 6);
  EXPECT_EQ(out.state.count, 5);
  EXPECT_EQ(out.track_ids.back(), 0);
}

TEST(CountingCounter, StableAfterTheHerdHasRestedForStableSeconds) {
  Counter counter;  // stable_seconds 2
  double t = 0;
  CountFrame out;
  for (int i = 0; i < 10; ++i, t += 0.2) out = counter.Update(t, Herd());
  EXPECT_FALSE(out.state.stable);
  for (int i = 0; i < 2; ++i, t += 0.2) out = counter.Update(t, Herd());
  EXPECT_TRUE(out.state.stable);
  EXPECT_EQ(out.state.tracks, 5);
  EXPECT_GT(out.state.confidence, 0.7);
}

TEST(CountingCounter, SeekBackStartsOver) {
  Counter counter;
  for (int i = 0; i < 15; ++i) counter.Update(10 + 0.2 * i, Herd());
  const CountFrame out = counter.Update(1.0, {Box(50, 50)});
  EXPECT_EQ(out.state.count, 1);
  EXPECT_DOUBLE_EQ(out.state.since, 1.0);
  EXPECT_FALSE(out.state.stable);
}

}  // namespace
}  // namespace pw::counting
