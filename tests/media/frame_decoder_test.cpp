#include "media/frame_decoder.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "media/decoder_pool.h"
#include "media/image.h"
#include "media/media_fixtures.h"

namespace pw::media {
namespace {

using test::SharedVideo;
using test::VideoSpec;

std::shared_ptr<const KeyframeIndex> IndexOf(const std::filesystem::path& video) {
  auto idx = BuildKeyframeIndex(video);
  EXPECT_TRUE(idx.ok()) << idx.status().ToString();
  return idx.ok() ? std::make_shared<const KeyframeIndex>(std::move(*idx)) : nullptr;
}

int FrameNumberAt(FrameDecoder& d, double t) {
  auto f = d.FrameAt(t);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) return -1;
  auto bgr = ToBgr(**f);
  return bgr.ok() ? test::ReadFrameNumber(*bgr) : -1;
}

struct Source {
  std::string name;
  VideoSpec spec;
};

class FrameAtTest : public ::testing::TestWithParam<Source> {};

TEST_P(FrameAtTest, RandomTimesGiveTheExactFrameAtOrBefore) {
  auto video = SharedVideo(GetParam().name, GetParam().spec);
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  auto d = FrameDecoder::Open(video, idx);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const int fps = GetParam().spec.fps;
  const int frames = static_cast<int>(GetParam().spec.seconds * fps);
  std::mt19937 rng(7);
  for (int n = 0; n < 25; ++n) {
    int k = std::uniform_int_distribution<int>(0, frames - 1)(rng);
    double frac = std::array<double, 3>{0.0, 0.5, 0.99}[n % 3];
    double t = (k + frac) / fps;
    EXPECT_EQ(FrameNumberAt(**d, t), k) << "t=" << t;
    EXPECT_NEAR(idx->TimeOf((*d)->position()), static_cast<double>(k) / fps, 1e-3);
  }
}

TEST_P(FrameAtTest, ScrubbingForwardContinuesDecodingInsteadOfSeeking) {
  auto video = SharedVideo(GetParam().name, GetParam().spec);
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  auto d = FrameDecoder::Open(video, idx);
  ASSERT_TRUE(d.ok());
  const int fps = GetParam().spec.fps;
  for (int k = 30; k < 30 + 40; k += 2) EXPECT_EQ(FrameNumberAt(**d, (k + 0.3) / fps), k);
  // One seek to start, plus at most one per keyframe crossed (a keyframe ahead is a cheaper start).
  int gop = GetParam().spec.gop;
  EXPECT_LE((*d)->seeks(), 1 + 40 / gop + 1);
  EXPECT_EQ(FrameNumberAt(**d, 10.0 / fps), 10);  // and backwards still exact
}

INSTANTIATE_TEST_SUITE_P(
    Sources, FrameAtTest,
    ::testing::Values(Source{"gop25.mp4", {}}, Source{"gop250.mp4", {.gop = 250, .seconds = 20}},
                      Source{"gop25_audio.mkv", {.container = "mkv", .audio = true}},
                      Source{"gop25_audio.ts", {.container = "ts", .audio = true}},
                      Source{"frag_audio.mp4", {.audio = true, .fragmented = true}}),
    [](const auto& p) {
      std::string n = p.param.name;
      for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(FrameDecoderTest, VariableFrameRateGivesTheFrameShownAtT) {
  VideoSpec spec{.container = "mkv", .seconds = 6, .vfr = true};
  auto video = SharedVideo("vfr.mkv", spec);
  auto times = test::ProbeFrameTimes(video.string());
  ASSERT_GT(times.size(), 100u);
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  auto d = FrameDecoder::Open(video, idx);
  ASSERT_TRUE(d.ok());
  for (size_t k : {3u, 4u, 5u, 44u, 99u, 17u}) {
    double t = (times[k] - times[0]) + 0.035;  // inside frame k (intervals are 40 or 60 ms)
    EXPECT_EQ(FrameNumberAt(**d, t), static_cast<int>(k)) << "t=" << t;
  }
}

TEST(FrameDecoderTest, CancelledRequestStopsAndDecoderStaysUsable) {
  auto video = SharedVideo("gop250.mp4", {.gop = 250, .seconds = 20});
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  auto d = FrameDecoder::Open(video, idx);
  ASSERT_TRUE(d.ok());
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_EQ((*d)->FrameAt(9.0, &cancel).status().code(), core::Code::kCancelled);
  EXPECT_EQ(FrameNumberAt(**d, 9.0), 225);
  EXPECT_EQ((*d)->FrameAt(-1).status().code(), core::Code::kInvalidArgument);
}

TEST(FrameDecoderTest, SupersederCancelsTheOlderRequestOfTheSameClient) {
  Superseder s;
  CancelToken a = s.Begin("client-1");
  CancelToken other = s.Begin("client-2");
  CancelToken b = s.Begin("client-1");
  EXPECT_TRUE(a.cancelled());
  EXPECT_FALSE(b.cancelled());
  EXPECT_FALSE(other.cancelled());
}

TEST(DecoderPoolTest, ReusesTheOpenDecoderForNearbyRequests) {
  auto video = SharedVideo("gop25.mp4", {});
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  DecoderPool pool;
  for (int k = 50; k < 60; ++k) {
    auto f = pool.FrameAt("v1", video, idx, (k + 0.5) / 25, 0);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(test::ReadFrameNumber(f->bgr), k);
    EXPECT_NEAR(f->time_sec, k / 25.0, 1e-3);
  }
  EXPECT_EQ(pool.stats().opened, 1);
  EXPECT_EQ(pool.stats().reused, 9);
  pool.Forget("v1");
  EXPECT_EQ(pool.idle_count(), 0u);
}

TEST(DecoderPoolTest, ConcurrentRequestsEachGetTheirExactFrame) {
  auto video = SharedVideo("gop25.mp4", {});
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  DecoderPool pool({.max_idle_per_video = 2, .max_idle_total = 3, .decoder = {}});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int k = t * 70; k < t * 70 + 30; k += 3) {
        auto f = pool.FrameAt("v", video, idx, (k + 0.2) / 25, 0);
        if (!f.ok() || test::ReadFrameNumber(f->bgr) != k) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(pool.idle_count(), 2u);
}

TEST(DecoderPoolTest, JpegAtScalesToTheRequestedWidth) {
  auto video = SharedVideo("gop25.mp4", {});
  auto idx = IndexOf(video);
  ASSERT_TRUE(idx);
  DecoderPool pool;
  auto j = pool.JpegAt("v", video, idx, 3.0, 160, 80);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ASSERT_GT(j->jpeg.size(), 100u);
  TjHandlePtr tj(tjInitDecompress());
  int w = 0, h = 0, sub = 0, cs = 0;
  ASSERT_EQ(tjDecompressHeader3(tj.get(), reinterpret_cast<const unsigned char*>(j->jpeg.data()),
                                j->jpeg.size(), &w, &h, &sub, &cs), 0);
  EXPECT_EQ(w, 160);
  EXPECT_EQ(h, 120);
  EXPECT_NEAR(j->time_sec, 3.0, 1e-3);

  // Full size: the JPEG shows the exact frame (75 at 3.0 s + half a frame).
  auto full = pool.JpegAt("v", video, idx, 3.02, 0, 90);
  ASSERT_TRUE(full.ok());
  cv::Mat bgr(240, 320, CV_8UC3);
  ASSERT_EQ(tjDecompress2(tj.get(), reinterpret_cast<const unsigned char*>(full->jpeg.data()),
                          full->jpeg.size(), bgr.data, 320, static_cast<int>(bgr.step[0]), 240,
                          TJPF_BGR, 0), 0);
  EXPECT_EQ(test::ReadFrameNumber(bgr), 75);
  EXPECT_EQ(pool.JpegAt("v", video, idx, 3.0, 0, 0).status().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pw::media
