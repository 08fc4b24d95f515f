// Per-frame cost of tracking and counting N resting/shuffling animals (1280x768 frame, outlines of
// 16 points like the post-processing's simplified masks), with mask IoU and with box IoU only.
// The baseline is counting the detections over the score threshold (what a frame costs without
// tracking); the figure that matters is µs/frame against the ~30 ms the model takes per frame.
#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>
#include <opencv2/imgproc.hpp>

#include "counting/counter.h"

namespace {

using pw::infer::Instance;

// Frame f of a herd of n animals on a grid, each swaying a few pixels, with deterministic jitter.
std::vector<Instance> HerdAt(int n, int f) {
  std::vector<Instance> out;
  const int cols = static_cast<int>(std::ceil(std::sqrt(n * 1.6)));
  const float cell_w = 1280.f / cols, cell_h = 768.f / ((n + cols - 1) / cols);
  for (int i = 0; i < n; ++i) {
    const float cx = cell_w * (i % cols + 0.5f) + 3.f * std::sin(0.3f * f + i);
    const float cy = cell_h * (i / cols + 0.5f) + 3.f * std::cos(0.2f * f + 2 * i);
    const float angle = 30.f * (i % 6) + 2.f * std::sin(0.1f * f + i);
    Instance in;
    cv::ellipse2Poly(cv::Point(cvRound(cx), cvRound(cy)), cv::Size(cvRound(cell_w * 0.45f), cvRound(cell_h * 0.22f)),
                     cvRound(angle), 0, 360, 23, in.polygon);
    in.polygon.resize(16);
    in.box = cv::boundingRect(in.polygon);
    in.score = ((i * 7 + f) % 13 == 0) ? 0.35f : 0.85f;  // some low-score frames
    in.area = in.box.area();
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<std::vector<Instance>> Frames(int n) {
  std::vector<std::vector<Instance>> frames;
  for (int f = 0; f < 64; ++f) frames.push_back(HerdAt(n, f));
  return frames;
}

void BM_RawCount(benchmark::State& state) {
  const auto frames = Frames(static_cast<int>(state.range(0)));
  size_t f = 0;
  for (auto _ : state) {
    int count = 0;
    for (const Instance& in : frames[f++ % frames.size()]) count += in.score >= 0.5f;
    benchmark::DoNotOptimize(count);
  }
}

void RunCounter(benchmark::State& state, bool polygons) {
  const auto frames = Frames(static_cast<int>(state.range(0)));
  pw::counting::CountingOptions o;
  o.tracker.use_polygons = polygons;
  pw::counting::Counter counter(o);
  size_t f = 0;
  double t = 0;
  for (auto _ : state) {
    const auto out = counter.Update(t, frames[f++ % frames.size()]);
    t += 0.2;
    benchmark::DoNotOptimize(out.state.count);
  }
}

void BM_CounterMaskIoU(benchmark::State& state) { RunCounter(state, true); }
void BM_CounterBoxIoU(benchmark::State& state) { RunCounter(state, false); }

}  // namespace

BENCHMARK(BM_RawCount)->Arg(20)->Arg(80)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CounterBoxIoU)->Arg(20)->Arg(80)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CounterMaskIoU)->Arg(20)->Arg(80)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
