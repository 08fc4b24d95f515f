#include "media/hls_remuxer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "media/media_fixtures.h"
#include "support/test_support.h"

namespace pw::media {
namespace {

namespace fs = std::filesystem;
using test::SharedVideo;
using test::VideoSpec;

struct Case {
  std::string name;
  VideoSpec spec;
  SegmentFormat format = SegmentFormat::kFmp4;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string SegmentName(size_t i, SegmentFormat f) {
  return "seg_" + std::to_string(i) + (f == SegmentFormat::kFmp4 ? ".m4s" : ".ts");
}

// Writes playlist, init and every segment as files, as a client would fetch them.
fs::path WriteHls(const HlsRemuxer& hls, const fs::path& dir) {
  auto name = [&](size_t i) { return SegmentName(i, hls.format()); };
  pw::test::WriteFile(dir / "index.m3u8", hls.Playlist("init.mp4", name));
  if (hls.format() == SegmentFormat::kFmp4) {
    auto init = hls.InitSegment();
    EXPECT_TRUE(init.ok()) << init.status().ToString();
    if (init.ok()) pw::test::WriteFile(dir / "init.mp4", *init);
  }
  for (size_t i = 0; i < hls.plan().segments.size(); ++i) {
    auto seg = hls.Segment(i);
    EXPECT_TRUE(seg.ok()) << i << ": " << seg.status().ToString();
    if (seg.ok()) pw::test::WriteFile(dir / name(i), *seg);
  }
  return dir / "index.m3u8";
}

std::unique_ptr<HlsRemuxer> MakeRemuxer(const fs::path& video, SegmentFormat format) {
  auto idx = BuildKeyframeIndex(video);
  EXPECT_TRUE(idx.ok()) << idx.status().ToString();
  if (!idx.ok()) return nullptr;
  HlsRemuxer::Options options;
  options.format = format;
  auto hls = HlsRemuxer::Create(video, *idx, options);
  EXPECT_TRUE(hls.ok()) << hls.status().ToString();
  return hls.ok() ? std::move(*hls) : nullptr;
}

class HlsVodTest : public ::testing::TestWithParam<Case> {};

TEST_P(HlsVodTest, PlaylistReadsEveryFrameWithSourceTimestampsAndNoErrors) {
  const Case& c = GetParam();
  fs::path video = SharedVideo(c.name, c.spec);
  auto hls = MakeRemuxer(video, c.format);
  ASSERT_TRUE(hls);
  pw::test::TempDir dir;
  fs::path playlist = WriteHls(*hls, dir.path());

  // ffmpeg (a real HLS client) decodes the whole playlist without a single error message.
  auto play = pw::test::RunCommand({"ffmpeg", "-nostdin", "-v", "error", "-i", playlist.string(), "-f",
                             "null", "-"});
  EXPECT_EQ(play.exit_code, 0);
  EXPECT_EQ(play.err, "");

  // Same frames at the same times (up to the constant shift): nothing lost, timeline continuous.
  auto src = test::ProbeFrameTimes(video.string());
  auto out = test::ProbeFrameTimes(playlist.string());
  ASSERT_EQ(out.size(), src.size());
  ASSERT_FALSE(src.empty());
  for (size_t i = 0; i < src.size(); ++i) {
    ASSERT_NEAR(out[i] - out[0], src[i] - src[0], 0.002) << "frame " << i;
  }

  // Audio: present when the source has it, every packet exactly once.
  auto audio_packets = [](const std::string& input) {
    auto r = pw::test::RunCommand({"ffprobe", "-v", "error", "-select_streams", "a", "-count_packets",
                            "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", input});
    return std::atoi(r.out.c_str());  // the first line; HLS adds program sections after it
  };
  int src_audio = audio_packets(video.string());
  EXPECT_EQ(audio_packets(playlist.string()), src_audio);
  EXPECT_EQ(src_audio > 0, c.spec.audio);
}

TEST_P(HlsVodTest, SegmentsStartAtKeyframesWithinTargetBounds) {
  const Case& c = GetParam();
  auto hls = MakeRemuxer(SharedVideo(c.name, c.spec), c.format);
  ASSERT_TRUE(hls);
  const auto& segs = hls->plan().segments;
  ASSERT_FALSE(segs.empty());
  double gop = static_cast<double>(c.spec.gop) / c.spec.fps;
  double longest = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    longest = std::max(longest, segs[i].duration_sec);
    if (i + 1 < segs.size()) {
      EXPECT_GE(segs[i].duration_sec, std::min(4.0, gop) - 0.05) << i;
      EXPECT_NEAR(segs[i].start_sec + segs[i].duration_sec, segs[i + 1].start_sec, 1e-9);
    }
    EXPECT_LE(segs[i].duration_sec, std::max(4.0, gop) + gop + 0.05) << i;
  }
  EXPECT_EQ(hls->plan().target_duration, static_cast<int>(std::ceil(longest - 1e-3)));
  // VFR fixtures stretch every 5th frame interval by half: 10 % longer in all.
  EXPECT_NEAR(segs.back().start_sec + segs.back().duration_sec,
              c.spec.seconds * (c.spec.vfr ? 1.1 : 1.0), 0.1);
  std::string pl = hls->Playlist("init.mp4", [](size_t i) { return std::to_string(i); });
  EXPECT_NE(pl.find("#EXT-X-VERSION:7"), std::string::npos);
  EXPECT_NE(pl.find("#EXT-X-PLAYLIST-TYPE:VOD"), std::string::npos);
  EXPECT_NE(pl.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_EQ(pl.find("#EXT-X-MAP") != std::string::npos, c.format == SegmentFormat::kFmp4);
}

INSTANTIATE_TEST_SUITE_P(
    Sources, HlsVodTest,
    ::testing::Values(
        Case{"gop25.mp4", {}},
        Case{"gop250.mp4", {.gop = 250, .seconds = 20}},
        Case{"audio_gop25.mp4", {.audio = true}},
        Case{"gop25_audio.mkv", {.container = "mkv", .audio = true}},
        Case{"gop25_audio.ts", {.container = "ts", .audio = true}},
        Case{"gop25_audio.ts", {.container = "ts", .audio = true}, SegmentFormat::kTs},
        Case{"audio_gop25.mp4", {.audio = true}, SegmentFormat::kTs},
        Case{"vfr.mkv", {.container = "mkv", .seconds = 6, .vfr = true}},
        Case{"hevc.mp4", {.codec = "libx265", .seconds = 4}},
        Case{"frag_audio.mp4", {.audio = true, .fragmented = true}}),
    [](const auto& p) {
      std::string n = p.param.name + (p.param.format == SegmentFormat::kTs ? "_to_ts" : "");
      for (char& ch : n) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(HlsRemuxerTest, ConcurrentRequestsReturnTheSameBytesAsSequentialOnes) {
  auto hls = MakeRemuxer(SharedVideo("audio_gop25.mp4", {.audio = true}), SegmentFormat::kFmp4);
  ASSERT_TRUE(hls);
  size_t n = hls->plan().segments.size();
  std::vector<std::string> expected;
  for (size_t i = 0; i < n; ++i) expected.push_back(*hls->Segment(i));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t k = 0; k < n; ++k) {
        size_t i = (k * 7 + t) % n;  // a different order in each thread
        auto seg = hls->Segment(i);
        if (!seg.ok() || *seg != expected[i]) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(HlsRemuxerTest, AudioTheOutputCannotCarryIsDroppedWithANote) {
  pw::test::TempDir dir;
  auto src = SharedVideo("gop25.mp4", {});
  fs::path alaw = dir / "alaw.mkv";  // G.711, as many IP cameras send
  auto r = pw::test::RunCommand({"ffmpeg", "-nostdin", "-loglevel", "error", "-i", src.string(), "-f",
                          "lavfi", "-i", "sine=sample_rate=8000:duration=12", "-c:v", "copy",
                          "-c:a", "pcm_alaw", "-shortest", alaw.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto hls = MakeRemuxer(alaw, SegmentFormat::kFmp4);
  ASSERT_TRUE(hls);
  EXPECT_FALSE(hls->has_audio());
  EXPECT_NE(hls->audio_note().find("pcm_alaw"), std::string::npos);
  fs::path playlist = WriteHls(*hls, dir.path());
  EXPECT_EQ(test::ProbeFrameTimes(playlist.string()).size(), 300u);
}

TEST(HlsRemuxerTest, TruncatedMkvAndTsServeTheReadablePart) {
  for (std::string c : {"mkv", "ts"}) {
    pw::test::TempDir dir;
    std::string full =
        pw::test::ReadFile(SharedVideo("gop25_audio." + c, {.container = c, .audio = true}));
    fs::path cut = dir / ("cut." + c);
    pw::test::WriteFile(cut, full.substr(0, full.size() / 2));
    auto idx = BuildKeyframeIndex(cut);
    ASSERT_TRUE(idx.ok()) << c << ": " << idx.status().ToString();
    EXPECT_GT(idx->duration_sec(), 4.0) << c;
    EXPECT_LT(idx->duration_sec(), 8.0) << c;
    auto hls = MakeRemuxer(cut, SegmentFormat::kFmp4);
    ASSERT_TRUE(hls) << c;
    fs::path playlist = WriteHls(*hls, dir.path());
    auto play = pw::test::RunCommand({"ffmpeg", "-nostdin", "-v", "error", "-i", playlist.string(), "-f",
                               "null", "-"});
    EXPECT_EQ(play.exit_code, 0) << c << ": " << play.err;
  }
}

TEST(HlsRemuxerTest, HevcIsTaggedHvc1AndReportedAsHevc) {
  auto hls = MakeRemuxer(SharedVideo("hevc.mp4", {.codec = "libx265", .seconds = 4}),
                         SegmentFormat::kFmp4);
  ASSERT_TRUE(hls);
  EXPECT_EQ(hls->video_codec(), "hevc");
  auto init = hls->InitSegment();
  ASSERT_TRUE(init.ok());
  EXPECT_NE(init->find("hvc1"), std::string::npos);
}

TEST(HlsRemuxerTest, MediaSegmentHoldsOnlyFragmentBoxes) {
  auto hls = MakeRemuxer(SharedVideo("gop25.mp4", {}), SegmentFormat::kFmp4);
  ASSERT_TRUE(hls);
  auto seg = hls->Segment(1);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ(seg->substr(4, 4), "moof");
  EXPECT_EQ(seg->find("moov"), std::string::npos);
  auto init = hls->InitSegment();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init->substr(4, 4), "ftyp");
  EXPECT_LT(init->size(), 4096u);
}

TEST(HlsRemuxerTest, RejectsOutOfRangeSegmentAndCancelledRequest) {
  auto hls = MakeRemuxer(SharedVideo("gop25.mp4", {}), SegmentFormat::kTs);
  ASSERT_TRUE(hls);
  EXPECT_EQ(hls->Segment(hls->plan().segments.size()).status().code(), core::Code::kNotFound);
  EXPECT_EQ(hls->InitSegment().status().code(), core::Code::kInvalidArgument);
  CancelToken cancel;
  cancel.Cancel();
  EXPECT_EQ(hls->Segment(0, &cancel).status().code(), core::Code::kCancelled);
}

}  // namespace
}  // namespace pw::media
