// Media benchmarks: keyframe index vs `ffmpeg -c copy -f null`, HLS segment remux vs
// `ffmpeg -ss … -c copy`, frame-at-time p50/p95 (random and sequential) at 1080p.
//
// Generates its own 1080p H.264 test video (ffmpeg CLI) in a temp dir and deletes it after.
// Usage: media_bench [seconds=40] [gop_frames=50] [x264 preset=ultrafast]
//        media_bench big [gigabytes=10]   cold index + first/middle segment of a huge MP4 (made
//                                         with -stream_loop -c copy; page cache dropped for it)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "media/decoder_pool.h"
#include "media/hls_remuxer.h"
#include "media/keyframe_index.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace pw::media;

namespace {

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Shell(const std::string& cmd) {
  auto t0 = Clock::now();
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  auto t1 = Clock::now();
  if (rc != 0) std::fprintf(stderr, "command failed (%d): %s\n", rc, cmd.c_str());
  return Ms(t0, t1);
}

struct Pct {
  double p50, p95;
};
Pct Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.5), at(0.95)};
}

template <typename Fn>
double Best(int runs, Fn fn) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    best = std::min(best, Ms(t0, Clock::now()));
  }
  return best;
}

// Evicts one file from the page cache (no system-wide cache drop).
void DropCache(const fs::path& f) {
  int fd = open(f.c_str(), O_RDONLY);
  if (fd < 0) return;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

int BigFile(double gigabytes) {
  fs::path dir = fs::temp_directory_path() / ("pw-media-bench-big-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path src = dir / "src.mp4", big = dir / "big.mp4";
  Shell("ffmpeg -nostdin -y -f lavfi -i testsrc2=size=1920x1080:rate=25:duration=60 -f lavfi -i "
        "sine=sample_rate=48000:duration=60 -c:v libx264 -preset ultrafast -crf 18 -g 50 "
        "-keyint_min 50 -sc_threshold 0 -c:a aac " + src.string());
  int loops = std::max(0, static_cast<int>(gigabytes * 1e9 / fs::file_size(src)) - 1);
  std::printf("making a %.1f GB MP4 (%d loops of 60 s)...\n", gigabytes, loops + 1);
  Shell("ffmpeg -nostdin -y -stream_loop " + std::to_string(loops) + " -i " + src.string() +
        " -c copy " + big.string());
  double gb = static_cast<double>(fs::file_size(big)) / 1e9;
  DropCache(big);
  auto t0 = Clock::now();
  auto idx = BuildKeyframeIndex(big);
  double index_ms = Ms(t0, Clock::now());
  if (!idx.ok()) {
    std::printf("index failed: %s\n", idx.status().ToString().c_str());
    return 1;
  }
  DropCache(big);
  t0 = Clock::now();
  auto hls = HlsRemuxer::Create(big, *idx, {});
  double create_ms = Ms(t0, Clock::now());
  auto seg = (*hls)->Segment(0);
  double first_ms = Ms(t0, Clock::now());
  size_t mid = (*hls)->plan().segments.size() / 2;
  t0 = Clock::now();
  auto seg_mid = (*hls)->Segment(mid);
  double mid_ms = Ms(t0, Clock::now());
  std::printf("%.2f GB, %zu keyframes, %.0f s: cold index %.0f ms (%.3f s/GB); cold "
              "create %.0f ms, create+first segment %.0f ms; cold middle segment %.0f ms (%s)\n",
              gb, idx->keyframes.size(), idx->duration_sec(), index_ms, index_ms / 1000 / gb,
              create_ms, first_ms, mid_ms, seg_mid.ok() && seg.ok() ? "ok" : "FAILED");
  fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "big") return BigFile(argc > 2 ? std::atof(argv[2]) : 10);
  int seconds = argc > 1 ? std::atoi(argv[1]) : 40;
  int gop = argc > 2 ? std::atoi(argv[2]) : 50;
  std::string preset = argc > 3 ? argv[3] : "ultrafast";  // veryfast: with B-frames
  fs::path dir = fs::temp_directory_path() / ("pw-media-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path mp4 = dir / "src.mp4", mkv = dir / "src.mkv", ts = dir / "src.ts";
  std::printf("generating %d s of 1080p25 H.264 (GOP %d frames)...\n", seconds, gop);
  Shell("ffmpeg -nostdin -y -f lavfi -i testsrc2=size=1920x1080:rate=25:duration=" +
        std::to_string(seconds) + " -f lavfi -i sine=sample_rate=48000:duration=" +
        std::to_string(seconds) + " -c:v libx264 -preset " + preset + " -crf 18 -g " +
        std::to_string(gop) + " -keyint_min " + std::to_string(gop) +
        " -sc_threshold 0 -c:a aac " + mp4.string());
  Shell("ffmpeg -nostdin -y -i " + mp4.string() + " -c copy " + mkv.string());
  Shell("ffmpeg -nostdin -y -i " + mp4.string() + " -c copy -f mpegts " + ts.string());

  std::printf("\n== keyframe index vs ffmpeg -c copy -f null (best of 3) ==\n");
  for (const fs::path& f : {mp4, mkv, ts}) {
    double gb = static_cast<double>(fs::file_size(f)) / 1e9;
    double ours = Best(3, [&] { (void)BuildKeyframeIndex(f); });
    double ffm = Best(3, [&] { Shell("ffmpeg -nostdin -i " + f.string() + " -c copy -f null -"); });
    std::printf("%-4s %6.1f MB: index %7.1f ms (%.2f s/GB)  ffmpeg %7.1f ms  ratio %.3f\n",
                f.extension().c_str() + 1, gb * 1000, ours, ours / 1000 / gb, ffm, ours / ffm);
  }

  std::printf("\n== HLS fMP4 segment remux (in memory) vs ffmpeg -ss -c copy ==\n");
  for (const fs::path& f : {mp4, ts}) {
    auto idx = BuildKeyframeIndex(f);
    auto t0 = Clock::now();
    auto hls = HlsRemuxer::Create(f, *idx, {});
    auto first = (*hls)->Segment(0);
    double cold = Ms(t0, Clock::now());
    const auto& segs = (*hls)->plan().segments;
    std::vector<double> ours, ffm;
    size_t bytes = 0;
    for (size_t i = 0; i < segs.size(); ++i) {
      auto s0 = Clock::now();
      auto seg = (*hls)->Segment(i);
      ours.push_back(Ms(s0, Clock::now()));
      bytes += seg.ok() ? seg->size() : 0;
      if (i % 3 == 0) {
        char cmd[512];
        std::snprintf(cmd, sizeof(cmd),
                      "ffmpeg -nostdin -y -ss %.3f -i %s -t %.3f -c copy -bsf:a aac_adtstoasc -f mp4 -movflags "
                      "frag_keyframe+empty_moov %s/ff.mp4",
                      segs[i].start_sec, f.c_str(), segs[i].duration_sec, dir.c_str());
        ffm.push_back(Shell(cmd));
      }
    }
    auto o = Percentiles(ours), x = Percentiles(ffm);
    std::printf("%-4s %zu segments of ~%.1f s, %.1f MB avg: create+first %.1f ms; "
                "p50 %.2f ms p95 %.2f ms; ffmpeg p50 %.1f ms; ratio p50 %.3f\n",
                f.extension().c_str() + 1, segs.size(), segs[0].duration_sec,
                bytes / 1e6 / segs.size(), cold, o.p50, o.p95, x.p50, o.p50 / x.p50);
  }

  std::printf("\n== frame at time, 1080p, BGR and JPEG q80 (DecoderPool, 1 codec thread) ==\n");
  auto idx = std::make_shared<const KeyframeIndex>(*BuildKeyframeIndex(mp4));
  for (auto [threads, skip] : {std::pair{1, true}, std::pair{1, false}, std::pair{2, true}}) {
    DecoderPool pool({.max_idle_per_video = 2, .max_idle_total = 4, .decoder = {threads, skip}});
    std::mt19937 rng(1);
    std::vector<double> random, seq, jpeg;
    for (int n = 0; n < 40; ++n) {
      double t = std::uniform_real_distribution<double>(0, seconds - 1)(rng);
      auto t0 = Clock::now();
      (void)pool.FrameAt("v", mp4, idx, t, 0);
      random.push_back(Ms(t0, Clock::now()));
    }
    double t = 5.0;
    for (int n = 0; n < 100; ++n, t += 0.04) {
      auto t0 = Clock::now();
      (void)pool.FrameAt("v", mp4, idx, t, 0);
      seq.push_back(Ms(t0, Clock::now()));
    }
    for (int n = 0; n < 40; ++n, t += 0.04) {
      auto t0 = Clock::now();
      (void)pool.JpegAt("v", mp4, idx, t, 0, 80);
      jpeg.push_back(Ms(t0, Clock::now()));
    }
    auto r = Percentiles(random), s = Percentiles(seq), j = Percentiles(jpeg);
    std::printf("threads %d skip-B %d: random p50 %.1f ms p95 %.1f ms | sequential p50 %.1f ms p95 %.1f ms"
                " | sequential JPEG p50 %.1f ms p95 %.1f ms\n",
                threads, skip, r.p50, r.p95, s.p50, s.p95, j.p50, j.p95);
  }
  fs::remove_all(dir);
  return 0;
}
