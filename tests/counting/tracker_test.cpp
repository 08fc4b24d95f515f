// Tracker: stable ids across frames, ByteTrack's two-stage matching, activation, lost buffer.
#include <map>

#include <gtest/gtest.h>

#include "counting/tracker.h"
#include "test_instances.h"

namespace pw::counting {
namespace {

using test::Box;

std::map<int, int> IdsByInstance(const std::vector<TrackedInstance>& tracked) {
  std::map<int, int> ids;
  for (const TrackedInstance& t : tracked) ids[t.instance_index] = t.track_id;
  return ids;
}

TEST(CountingTracker, KeepsIdsWhileBoxesMove) {
  Tracker tracker;
  for (int f = 0; f < 30; ++f) {
    const float dx = 4.f * f;  // 40 px/s at 10 fps
    const auto out = tracker.Update(f * 0.1, {Box(10 + dx, 10), Box(10 + dx, 60), Box(200 - dx, 110)});
    ASSERT_EQ(out.size(), 3u);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(out[i].instance_index, i);
      EXPECT_EQ(out[i].track_id, i + 1) << "frame " << f;
      EXPECT_TRUE(out[i].confirmed);
    }
    if (f > 5) {
      EXPECT_NEAR(out[0].velocity.x, 40, 1);
      EXPECT_NEAR(out[2].velocity.x, -40, 1);
    }
  }
}

TEST(CountingTracker, ConfirmsNewTracksAfterActivationFramesAndLeavesNoIdHoles) {
  Tracker tracker;  // activation_frames = 3
  tracker.Update(0.0, {Box(10, 10)});  // the first frame confirms at once
  // A one-frame false alarm never gets an id.
  auto out = tracker.Update(0.1, {Box(10, 10), Box(200, 10)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].confirmed);
  EXPECT_EQ(out[1].track_id, 0);
  tracker.Update(0.2, {Box(10, 10)});
  // A real newcomer: tentative for two frames, confirmed on the third with the next id.
  for (int f = 0; f < 3; ++f) {
    out = tracker.Update(0.3 + 0.1 * f, {Box(10, 10), Box(100, 100)});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].confirmed, f == 2) << f;
    EXPECT_EQ(out[1].track_id, f == 2 ? 2 : 0) << f;
  }
}

TEST(CountingTracker, SecondStageKeepsTrackThroughLowScoreButStartsNoTrackFromIt) {
  Tracker tracker;
  tracker.Update(0.0, {Box(10, 10)});
  tracker.Update(0.1, {Box(11, 10)});
  // Score 0.3 (between low_score and high_score): matched to the existing track.
  auto out = tracker.Update(0.2, {Box(12, 10, 40, 20, 0.3f), Box(200, 100, 40, 20, 0.3f)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].instance_index, 0);
  EXPECT_EQ(out[0].track_id, 1);
  // Below low_score: ignored altogether.
  out = tracker.Update(0.3, {Box(13, 10, 40, 20, 0.05f)});
  EXPECT_TRUE(out.empty());
}

TEST(CountingTracker, LowScoreMatchNeedsTheStricterIoU) {
  Tracker tracker;
  tracker.Update(0.0, {Box(0, 0, 40, 40)});
  // IoU 0.43 with the track: enough for a high score (0.3), not for a low one (0.5).
  EXPECT_TRUE(tracker.Update(0.1, {Box(16, 0, 40, 40, 0.3f)}).empty());
  const auto out = tracker.Update(0.2, {Box(16, 0, 40, 40, 0.9f)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].track_id, 1);
}

TEST(CountingTracker, LostBufferReidentifiesWithinLostSeconds) {
  Tracker tracker;  // lost_seconds = 1
  tracker.Update(0.0, {Box(10, 10), Box(100, 10)});
  tracker.Update(0.1, {Box(10, 10), Box(100, 10)});
  // The second animal is missed for 0.7 s, then seen again: same id.
  for (int f = 2; f <= 8; ++f) tracker.Update(0.1 * f, {Box(10, 10)});
  auto out = tracker.Update(0.9, {Box(10, 10), Box(101, 10)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].track_id, 2);
  EXPECT_TRUE(out[1].confirmed);
  // Missed for longer than lost_seconds: forgotten; when it comes back it is a new animal.
  for (int f = 10; f <= 21; ++f) tracker.Update(0.1 * f, {Box(10, 10)});
  out = tracker.Update(2.2, {Box(10, 10), Box(101, 10)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].confirmed);
}

TEST(CountingTracker, FastNewcomerIsConfirmedThoughItsBoxesDoNotOverlap) {
  Tracker tracker;
  tracker.Update(0.0, {Box(200, 150)});
  std::vector<TrackedInstance> out;
  for (int f = 1; f <= 3; ++f) out = tracker.Update(0.2 * f, {Box(200, 150), Box(28.f * f, 40)});  // 140 px/s: IoU 0.18
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[1].confirmed);
  EXPECT_EQ(out[1].track_id, 2);

  TrackerOptions iou_only;
  iou_only.max_jump = 0;
  Tracker strict(iou_only);
  strict.Update(0.0, {Box(200, 150)});
  for (int f = 1; f <= 3; ++f) out = strict.Update(0.2 * f, {Box(200, 150), Box(28.f * f, 40)});
  EXPECT_FALSE(out[1].confirmed);
}

TEST(CountingTracker, CrossingAnimalsKeepTheirIdsByMotion) {
  // Two pigs walk past each other along the same line (boxes overlap fully mid-way).
  Tracker tracker;
  int right_walker = 0, left_walker = 0;
  for (int f = 0; f <= 20; ++f) {
    const float a = 20 + 10.f * f, b = 220 - 10.f * f;
    const auto ids = IdsByInstance(tracker.Update(f * 0.1, {Box(a, 50), Box(b, 52)}));
    ASSERT_EQ(ids.size(), 2u) << "frame " << f;
    if (f == 0) {
      right_walker = ids.at(0);
      left_walker = ids.at(1);
    }
    EXPECT_EQ(ids.at(0), right_walker) << "frame " << f;
    EXPECT_EQ(ids.at(1), left_walker) << "frame " << f;
  }
}

TEST(CountingTracker, MasksKeepDiagonalNeighboursApart) {
  // Two diagonal pigs whose boxes overlap more with each other's next position than with their
  // own; their outlines do not.
  Tracker tracker;
  for (int f = 0; f < 10; ++f) {
    const float s = 2.f * f;
    const auto ids = IdsByInstance(tracker.Update(
        f * 0.1, {test::Diagonal({100 + s, 100 - s}, 120, 30, 45), test::Diagonal({125 + s, 75 - s}, 120, 30, 45)}));
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids.at(0), 1);
    EXPECT_EQ(ids.at(1), 2);
  }
}

TEST(CountingTracker, TimeGoingBackOrALongGapStartsOverAndResetRestartsIds) {
  Tracker tracker;
  tracker.Update(5.0, {Box(10, 10)});
  EXPECT_EQ(tracker.Update(4.0, {Box(10, 10)})[0].track_id, 2);  // a seek back: a new track
  EXPECT_EQ(tracker.Update(9.0, {Box(10, 10)})[0].track_id, 3);  // a 5 s gap: likewise
  EXPECT_EQ(tracker.Tracks().size(), 1u);
  tracker.Reset();
  EXPECT_TRUE(tracker.Tracks().empty());
  EXPECT_EQ(tracker.Update(0.0, {Box(10, 10)})[0].track_id, 1);
}

TEST(CountingTracker, ReportsTrackStateForCounting) {
  Tracker tracker;
  for (int f = 0; f < 15; ++f) tracker.Update(f * 0.1, {Box(10 + 5.f * f, 10, 40, 20, f == 14 ? 0.3f : 0.8f)});
  tracker.Update(1.5, {});
  const auto tracks = tracker.Tracks();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].missed_frames, 1);
  EXPECT_EQ(tracks[0].matched_frames, 15);
  EXPECT_EQ(tracks[0].instance_index, -1);
  EXPECT_NEAR(tracks[0].speed, 50, 1);           // px/s over the last second
  EXPECT_FLOAT_EQ(tracks[0].score, 0.8f);        // median of the last three matched scores
  EXPECT_DOUBLE_EQ(tracks[0].last_seen, 1.4);
}

}  // namespace
}  // namespace pw::counting
