#include "media/thumbnails.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "media/media_fixtures.h"
#include "support/test_support.h"

namespace pw::media {
namespace {

TEST(ThumbnailsTest, OneTilePerKeyframeOnSpriteSheetsWithMaps) {
  auto video = test::SharedVideo("gop25.mp4", {});
  auto idx = BuildKeyframeIndex(video);
  ASSERT_TRUE(idx.ok());
  pw::test::TempDir dir;
  ThumbnailOptions o;
  o.columns = 5;
  o.rows = 2;
  size_t last_done = 0;
  auto set = BuildThumbnails(video, *idx, dir.path(), o, [&](size_t done, size_t) { last_done = done; });
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->tiles.size(), 12u);
  EXPECT_EQ(last_done, 12u);
  ASSERT_EQ(set->sheets.size(), 2u);  // 10 per sheet
  for (const auto& s : set->sheets) {
    std::string jpeg = pw::test::ReadFile(dir / s);
    ASSERT_GT(jpeg.size(), 100u);
    EXPECT_EQ(static_cast<unsigned char>(jpeg[0]), 0xFF);
    EXPECT_EQ(static_cast<unsigned char>(jpeg[1]), 0xD8);
  }
  const ThumbnailTile& t7 = set->tiles[7];
  EXPECT_NEAR(t7.start_sec, 7.0, 1e-6);
  EXPECT_NEAR(t7.end_sec, 8.0, 1e-6);
  EXPECT_EQ(t7.sheet, 0);
  EXPECT_EQ(t7.x, 2 * 160);
  EXPECT_EQ(t7.y, 120);
  EXPECT_EQ(t7.w, 160);
  EXPECT_EQ(t7.h, 120);
  EXPECT_EQ(set->tiles[11].sheet, 1);
  EXPECT_NEAR(set->tiles[11].end_sec, 12.0, 1e-6);

  std::string vtt = ThumbnailsVtt(*set, "/thumbs/");
  EXPECT_EQ(vtt.rfind("WEBVTT\n", 0), 0u);
  EXPECT_NE(vtt.find("00:00:07.000 --> 00:00:08.000\n/thumbs/sprite_000.jpg#xywh=320,120,160,120"),
            std::string::npos)
      << vtt;
  EXPECT_EQ(ThumbnailsJson(*set)["tiles"].size(), 12u);
}

TEST(ThumbnailsTest, MinimumIntervalSkipsCloseKeyframes) {
  auto video = test::SharedVideo("gop25.mp4", {});
  auto idx = BuildKeyframeIndex(video);
  ASSERT_TRUE(idx.ok());
  pw::test::TempDir dir;
  ThumbnailOptions o;
  o.min_interval_sec = 2.5;
  auto set = BuildThumbnails(video, *idx, dir.path(), o);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->tiles.size(), 4u);  // 0, 3, 6, 9
}

TEST(ThumbnailsTest, CancelledBuildStops) {
  auto video = test::SharedVideo("gop25.mp4", {});
  auto idx = BuildKeyframeIndex(video);
  ASSERT_TRUE(idx.ok());
  pw::test::TempDir dir;
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_EQ(BuildThumbnails(video, *idx, dir.path(), {}, nullptr, &cancel).status().code(),
            core::Code::kCancelled);
}

}  // namespace
}  // namespace pw::media
