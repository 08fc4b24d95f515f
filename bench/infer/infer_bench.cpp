// infer_bench: how close the whole engine path (letterbox + forward + post-processing + routing)
// comes to the bare OpenCV forward bound, with 1 and 2 workers, on the fixture models at 640x640
// and at the rectangular 640x384 a 16:9 source gets. Prints fps, ratios and ms per phase.
//
// Usage: infer_bench [seconds_per_config=12] [model.onnx ...]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include "infer/engine.h"
#include "infer/importer.h"
#include "infer/preprocess.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace pw::infer;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double RssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / (1 << 20);
}

// Bare forward fps: `nets` threads, each with its own net, looping on a ready blob.
double BareFps(const ModelInfo& info, int nets, int threads_per_net, double seconds) {
  cv::setNumThreads(threads_per_net);
  const cv::Mat blob(std::vector<int>{1, 3, info.input_height, info.input_width}, CV_32F, cv::Scalar(0.5));
  std::atomic<long> frames{0};
  std::atomic<int> warm{0};
  std::atomic<bool> go{false};
  Clock::time_point end;
  std::vector<std::thread> pool;
  for (int n = 0; n < nets; ++n) {
    pool.emplace_back([&] {
      cv::dnn::Net net = cv::dnn::readNetFromONNX(info.imported_path.string());
      std::vector<cv::Mat> outs;
      net.setInput(blob);
      net.forward(outs, info.output_names);  // warm-up
      warm++;
      while (!go) std::this_thread::yield();
      while (Clock::now() < end) {
        net.setInput(blob);
        net.forward(outs, info.output_names);
        frames++;
      }
    });
  }
  while (warm < nets) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = Clock::now();
  end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : pool) t.join();
  return static_cast<double>(frames) / Seconds(start, Clock::now());
}

EngineOptions BenchEngineOptions(const std::filesystem::path& model, const std::filesystem::path& cache,
                                 cv::Size input, int workers, int threads_per_net) {
  EngineOptions o;
  o.model_path = model;
  o.cache_dir = cache;
  o.input_size = input;
  o.workers = workers;
  o.threads_per_net = threads_per_net;
  o.queue_quota = {8, 8, 8};
  // The random-weight fixtures score ~0.003-0.012: this keeps 50 instances with masks per frame,
  // the post-processing load of a full pen (their boxes are larger than pigs: an upper bound).
  o.postprocess.conf_threshold = 0.0029f;
  o.postprocess.max_detections = 50;
  return o;
}

// Whole engine path for `seconds`: one submitter keeps the background queue full; frames finished
// inside the window count. Waits for the queue to drain before returning (nothing left running).
double EngineFps(Engine& engine, const cv::Mat& frame, double seconds) {
  std::atomic<long> done{0}, answered{0};
  long accepted = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    InferRequest r{frame, Priority::kBackground, Clock::time_point::max(), {}};
    auto st = engine.Submit(std::move(r), [&, end](InferResult res) {
      if (res.status.ok() && Clock::now() <= end) done++;
      answered++;
    });
    if (st.ok()) {
      accepted++;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  const double fps = static_cast<double>(done) / Seconds(start, end);
  while (answered < accepted) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return fps;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Alternates bare and engine measurements (3 rounds) so that load from other processes hits both
// alike; reports medians and the median of per-round ratios.
void BenchConfig(const ModelInfo& info, const std::filesystem::path& model, const std::filesystem::path& cache,
                 const cv::Mat& frame, int workers, int threads_per_net, double seconds) {
  const double rss0 = RssMiB();
  Engine engine(BenchEngineOptions(model, cache, {info.input_width, info.input_height}, workers, threads_per_net));
  engine.Preload();
  if (engine.WaitUntilSettled(std::chrono::minutes(5)) != EngineState::kReady) {
    std::printf("engine failed: %s\n", engine.Snapshot().reason.c_str());
    return;
  }
  const double rss_per_worker = (RssMiB() - rss0) / workers;
  engine.Submit(InferRequest{frame, Priority::kBackground, Clock::time_point::max(), {}}).get();  // warm-up
  constexpr int kRounds = 3;
  std::vector<double> bare, eng, ratio;
  for (int round = 0; round < kRounds; ++round) {
    bare.push_back(BareFps(info, workers, threads_per_net, seconds / (2 * kRounds)));
    eng.push_back(EngineFps(engine, frame, seconds / (2 * kRounds)));
    ratio.push_back(eng.back() / bare.back());
  }
  const EngineStatus s = engine.Snapshot();
  const auto& l = s.latency;
  std::printf("%d worker(s) x %d thread(s): bare %.2f fps, engine %.2f fps, engine/bare %.2fx (rounds:",
              workers, threads_per_net, Median(bare), Median(eng), Median(ratio));
  for (double r : ratio) std::printf(" %.2f", r);
  std::printf(")\n  engine p50 ms: pre %.1f, forward %.1f, post %.1f, total %.1f (queue %.1f) | p95 total %.1f | "
              "mean batch %.2f | +%.0f MiB RSS/worker\n",
              l.at("pre").p50_ms, l.at("forward").p50_ms, l.at("post").p50_ms, l.at("total").p50_ms,
              l.at("queue").p50_ms, l.at("total").p95_ms, s.mean_batch, rss_per_worker);
  if (info.input_height != info.input_width) {
    const bool at640 = info.input_width == 640;
    const double peer = at640 ? 7.6 : 14.4;
    std::printf("  vs the peer pipeline's %.1f fps (16:9 at imgsz %d): %.2fx\n", peer, at640 ? 640 : 416,
                Median(eng) / peer);
  }
}

void BenchModel(const std::filesystem::path& model, const cv::Mat& frame, cv::Size input, double seconds) {
  const std::filesystem::path cache = std::filesystem::temp_directory_path() / "pw_infer_bench";
  auto info = ImportModel(model, {.cache_dir = cache, .input_size = input});
  if (!info.ok()) {
    std::printf("%s: %s\n", model.filename().c_str(), info.status().ToString().c_str());
    return;
  }
  std::printf("\n== %s, input %dx%d, frame %dx%d\n", model.filename().c_str(), info->input_width,
              info->input_height, frame.cols, frame.rows);
  for (auto [workers, threads] : {std::pair{1, 2}, std::pair{2, 1}}) {
    BenchConfig(*info, model, cache, frame, workers, threads, seconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while it runs, even into a file
  spdlog::set_level(spdlog::level::warn);
  const double seconds = argc > 1 ? std::atof(argv[1]) : 12.0;
  const std::filesystem::path data = PW_BENCH_DATA_DIR;
  std::vector<std::filesystem::path> models;
  for (int i = 2; i < argc; ++i) models.emplace_back(argv[i]);
  if (models.empty()) {
    models = {data / "yolo11n-seg-pig_640_opdef_static_slim.onnx", data / "yolov8n-seg-pig_640_op12_static_slim.onnx"};
  }
  const cv::Mat square = cv::imread((data / "input_640_0.jpg").string());
  cv::Mat wide;
  cv::resize(square, wide, {1920, 1080});
  std::printf("infer_bench: %.1f s per configuration (bare and engine alternated, 3 rounds), %u cores, OpenCV %s\n", seconds, std::thread::hardware_concurrency(), CV_VERSION);
  for (const auto& m : models) {
    BenchModel(m, square, {640, 640}, seconds);
    BenchModel(m, wide, RectangularInputSize(wide.size(), 640), seconds);
    BenchModel(m, wide, RectangularInputSize(wide.size(), 416), seconds);  // imgsz 416: 416x256
  }
  return 0;
}
