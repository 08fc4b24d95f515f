#include "media/keyframe_index.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "media/media_fixtures.h"

namespace pw::media {
namespace {

using test::SharedVideo;

std::vector<double> KeyframeTimes(const KeyframeIndex& idx) {
  std::vector<double> t;
  for (const auto& k : idx.keyframes) t.push_back(idx.TimeOf(k.pts));
  return t;
}

TEST(KeyframeIndexTest, Mp4ReadsTheContainerIndex) {
  auto idx = BuildKeyframeIndex(SharedVideo("gop25.mp4", {}));
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  EXPECT_TRUE(idx->from_container_index);
  EXPECT_EQ(idx->frame_count, 300);
  ASSERT_EQ(idx->keyframes.size(), 12u);
  for (size_t i = 0; i < 12; ++i) EXPECT_NEAR(KeyframeTimes(*idx)[i], static_cast<double>(i), 1e-6);
  EXPECT_NEAR(idx->duration_sec(), 12.0, 1e-6);
  EXPECT_GT(idx->preroll_us, 0);  // B-frames: the first DTS lies before the first PTS
  for (const auto& k : idx->keyframes) EXPECT_GT(k.pos, 0);
}

TEST(KeyframeIndexTest, MkvAndTsAreScannedToTheSameKeyframes) {
  for (std::string c : {"mkv", "ts"}) {
    auto idx = BuildKeyframeIndex(SharedVideo("gop25_audio." + c, {.container = c, .audio = true}));
    ASSERT_TRUE(idx.ok()) << c << ": " << idx.status().ToString();
    EXPECT_FALSE(idx->from_container_index) << c;
    EXPECT_EQ(idx->frame_count, 300) << c;
    ASSERT_EQ(idx->keyframes.size(), 12u) << c;
    EXPECT_NEAR(KeyframeTimes(*idx)[7], 7.0, 1e-3) << c;
    EXPECT_NEAR(idx->duration_sec(), 12.0, 0.05) << c;
  }
}

TEST(KeyframeIndexTest, FragmentedMp4FindsEveryKeyframe) {
  auto idx = BuildKeyframeIndex(SharedVideo("frag_audio.mp4", {.audio = true, .fragmented = true}));
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  EXPECT_EQ(idx->frame_count, 300);
  ASSERT_EQ(idx->keyframes.size(), 12u);
  EXPECT_NEAR(KeyframeTimes(*idx)[11], 11.0, 1e-6);
  EXPECT_NEAR(idx->duration_sec(), 12.0, 0.05);
}

TEST(KeyframeIndexTest, LongGopHasOneKeyframePerTenSeconds) {
  auto idx = BuildKeyframeIndex(SharedVideo("gop250.mp4", {.gop = 250, .seconds = 20}));
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  ASSERT_EQ(idx->keyframes.size(), 2u);
  EXPECT_NEAR(KeyframeTimes(*idx)[1], 10.0, 1e-6);
  EXPECT_EQ(idx->KeyframeAtOrBefore(idx->PtsAt(9.99)), 0u);
  EXPECT_EQ(idx->KeyframeAtOrBefore(idx->PtsAt(10.0)), 1u);
}

TEST(KeyframeIndexTest, BlobRoundTripsExactly) {
  auto idx = BuildKeyframeIndex(SharedVideo("gop25_audio.ts", {.container = "ts", .audio = true}));
  ASSERT_TRUE(idx.ok());
  std::string blob = idx->ToBlob();
  EXPECT_LT(blob.size(), 40 + 12 * 12);  // a few bytes per keyframe
  auto back = KeyframeIndex::FromBlob(blob);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), idx->ToJson());
}

TEST(KeyframeIndexTest, RejectsDamagedBlob) {
  auto idx = BuildKeyframeIndex(SharedVideo("gop25.mp4", {}));
  ASSERT_TRUE(idx.ok());
  std::string blob = idx->ToBlob();
  EXPECT_EQ(KeyframeIndex::FromBlob(blob.substr(0, blob.size() - 2)).status().code(),
            core::Code::kUnprocessable);
  EXPECT_EQ(KeyframeIndex::FromBlob("nonsense").status().code(), core::Code::kUnprocessable);
}

TEST(KeyframeIndexTest, CancelledScanStops) {
  CancelToken cancel;
  cancel.Cancel();
  auto idx = BuildKeyframeIndex(SharedVideo("gop25_audio.mkv", {.container = "mkv", .audio = true}),
                                &cancel);
  EXPECT_EQ(idx.status().code(), core::Code::kCancelled);
}

}  // namespace
}  // namespace pw::media
