#include "media/probe.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "media/content_id.h"
#include "media/media_fixtures.h"
#include "support/test_support.h"

namespace pw::media {
namespace {

using test::SharedVideo;
using test::VideoSpec;

TEST(ProbeTest, ReportsContainerCodecSizeFrameRateAndAudio) {
  auto path = SharedVideo("audio_gop25.mp4", {.audio = true});
  auto info = Probe(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_NE(info->container.find("mp4"), std::string::npos);
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  EXPECT_NEAR(info->fps, 25.0, 0.01);
  EXPECT_FALSE(info->variable_frame_rate);
  EXPECT_NEAR(info->duration_sec, 12.0, 0.1);
  EXPECT_GT(info->bit_rate, 0);
  EXPECT_TRUE(info->browser_playable);
  ASSERT_EQ(info->audio.size(), 1u);
  EXPECT_EQ(info->audio[0].codec, "aac");
  EXPECT_EQ(info->audio[0].sample_rate, 48000);
  EXPECT_EQ(ToJson(*info)["video"]["codec"], "h264");
}

TEST(ProbeTest, DetectsVariableFrameRate) {
  auto path = SharedVideo("vfr.mkv", {.container = "mkv", .seconds = 6, .vfr = true});
  auto info = Probe(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE(info->variable_frame_rate);
  EXPECT_LT(info->fps, 24.0);  // average below the nominal 25
  EXPECT_GT(info->fps, 21.0);
}

TEST(ProbeTest, ReportsHevcAsNotBrowserPlayable) {
  auto path = SharedVideo("hevc.mp4", {.codec = "libx265", .seconds = 4});
  auto info = Probe(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->video_codec, "hevc");
  EXPECT_FALSE(info->browser_playable);
}

TEST(ProbeTest, RejectsZeroByteFile) {
  pw::test::TempDir dir;
  pw::test::WriteFile(dir / "empty.mp4", "");
  auto info = Probe(dir / "empty.mp4");
  EXPECT_EQ(info.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(info.status().message().find("empty"), std::string::npos);
}

TEST(ProbeTest, RejectsTextFileRenamedMp4) {
  pw::test::TempDir dir;
  pw::test::WriteFile(dir / "notes.mp4", "weighing notes: pen 3, 53 piglets\n");
  auto info = Probe(dir / "notes.mp4");
  EXPECT_EQ(info.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(info.status().message().find("not a video"), std::string::npos);
}

TEST(ProbeTest, RejectsTruncatedMp4) {
  pw::test::TempDir dir;
  std::string full = pw::test::ReadFile(SharedVideo("audio_gop25.mp4", {.audio = true}));
  pw::test::WriteFile(dir / "cut.mp4", full.substr(0, full.size() / 2));
  auto info = Probe(dir / "cut.mp4");
  EXPECT_EQ(info.status().code(), core::Code::kUnprocessable) << info.status().ToString();
}

TEST(ProbeTest, RejectsTruncatedFaststartMp4WithReason) {
  pw::test::TempDir dir;
  auto src = SharedVideo("audio_gop25.mp4", {.audio = true});
  auto r = pw::test::RunCommand({"ffmpeg", "-nostdin", "-loglevel", "error", "-i", src.string(), "-c",
                          "copy", "-movflags", "+faststart", (dir / "fs.mp4").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string full = pw::test::ReadFile(dir / "fs.mp4");
  pw::test::WriteFile(dir / "cut.mp4", full.substr(0, full.size() * 2 / 3));
  auto info = Probe(dir / "cut.mp4");
  EXPECT_EQ(info.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(info.status().message().find("truncated"), std::string::npos)
      << info.status().message();
}

TEST(ProbeTest, RejectsAudioOnlyFile) {
  pw::test::TempDir dir;
  auto r = pw::test::RunCommand({"ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                          "sine=duration=1", "-c:a", "aac", (dir / "a.mp4").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = Probe(dir / "a.mp4");
  EXPECT_EQ(info.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(info.status().message().find("no video stream"), std::string::npos);
}

TEST(ProbeTest, MissingFileIsNotFound) {
  EXPECT_EQ(Probe("/nonexistent/x.mp4").status().code(), core::Code::kNotFound);
}

TEST(ContentIdTest, SameContentSameIdAndSameNameDifferentContentDifferentId) {
  pw::test::TempDir dir;
  std::string a = pw::test::ReadFile(SharedVideo("audio_gop25.mp4", {.audio = true}));
  std::filesystem::create_directory(dir / "x");
  pw::test::WriteFile(dir / "one.mp4", a);
  pw::test::WriteFile(dir / "x" / "two.mp4", a);
  std::string b = a;
  b[b.size() / 2] ^= 1;  // one bit in the middle block
  pw::test::WriteFile(dir / "x" / "one.mp4", b);
  auto id1 = ContentId(dir / "one.mp4");
  auto id2 = ContentId(dir / "x" / "two.mp4");
  auto id3 = ContentId(dir / "x" / "one.mp4");
  ASSERT_TRUE(id1.ok() && id2.ok() && id3.ok());
  EXPECT_EQ(id1->size(), 32u);
  EXPECT_EQ(*id1, *id2);
  EXPECT_NE(*id1, *id3);
}

TEST(ContentIdTest, LargeFileSeesChangeInSampledBlockAndSize) {
  pw::test::TempDir dir;
  std::string big(40 << 20, 'p');
  pw::test::WriteFile(dir / "a.bin", big);
  big.back() = 'q';  // last MiB is always sampled
  pw::test::WriteFile(dir / "b.bin", big);
  pw::test::WriteFile(dir / "c.bin", big + "x");
  auto a = ContentId(dir / "a.bin"), b = ContentId(dir / "b.bin"), c = ContentId(dir / "c.bin");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(*b, *c);
  EXPECT_EQ(*a, *ContentId(dir / "a.bin"));
}

}  // namespace
}  // namespace pw::media
