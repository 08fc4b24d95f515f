// Background index throughput against the bound the model sets: the same sampled frames,
// decoded beforehand and pushed through the engine at background priority with the same
// parallelism, vs the Indexer doing everything (decode, convert, infer, track, count, store).
// Also: real-time factor, index size per hour of video.
//
// Usage: index_bench VIDEO MODEL [SAMPLE_FPS=5] [WORKERS=2]
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <thread>

#include "library/indexer.h"
#include "media/frame_decoder.h"
#include "media/image.h"
#include "store/store.h"

using namespace pw;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: index_bench VIDEO MODEL [SAMPLE_FPS] [WORKERS]\n");
    return 2;
  }
  fs::path video = argv[1], model = argv[2];
  double fps = argc > 3 ? std::atof(argv[3]) : 5.0;
  int workers = argc > 4 ? std::atoi(argv[4]) : 2;
  fs::path data = fs::temp_directory_path() / ("pw-index-bench-" + std::to_string(getpid()));
  fs::remove_all(data);

  auto store = store::OpenSqliteStore(data);
  if (!store.ok()) return 1;
  library::LibraryOptions lo;
  lo.data_dir = data;
  library::VideoLibrary lib(lo, (*store)->videos());
  auto reg = lib.RegisterFile(video);
  if (!reg.ok()) {
    std::fprintf(stderr, "%s\n", reg.status().ToString().c_str());
    return 1;
  }
  std::string id = (*reg)["id"];
  infer::EngineOptions eo;
  eo.model_path = model;
  eo.cache_dir = data / "models";
  eo.workers = workers;
  infer::Engine engine(eo);
  engine.Preload();
  engine.WaitUntilSettled(std::chrono::minutes(2));
  auto source = lib.Source(id);
  double duration = source->index->duration_sec();

  // Baseline: the sampled frames already decoded, through the engine, 8 in flight.
  std::vector<cv::Mat> frames;
  {
    auto dec = media::FrameDecoder::Open(source->path, source->index);
    for (double t = 0; t < duration; t += 1.0 / fps) {
      auto f = (*dec)->FrameAt(t);
      if (!f.ok()) break;
      frames.push_back(*media::ToBgr(**f));
    }
  }
  auto start = Clock::now();
  std::deque<std::future<infer::InferResult>> in_flight;
  for (const auto& f : frames) {
    if (in_flight.size() >= 8) {
      in_flight.front().get();
      in_flight.pop_front();
    }
    infer::InferRequest r;
    r.frame = f;
    r.priority = infer::Priority::kBackground;
    in_flight.push_back(engine.Submit(std::move(r)));
  }
  for (auto& f : in_flight) f.get();
  double bare_s = std::chrono::duration<double>(Clock::now() - start).count();
  double bare_fps = static_cast<double>(frames.size()) / bare_s;
  frames.clear();

  // The indexer, end to end.
  library::IndexerOptions io;
  io.sample_fps = fps;
  io.jobs = 1;
  io.auto_index = false;
  io.model_path = model;
  library::Indexer ix(io, lib, engine, (*store)->count_indexes());
  ix.Start();
  while (!ix.Enqueue(id).ok()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  start = Clock::now();
  nlohmann::json status;
  for (;;) {
    status = *ix.Status(id);
    if (status["state"] == "done" || status["state"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double index_s = std::chrono::duration<double>(Clock::now() - start).count();
  double samples = status["samples_done"].get<double>();
  auto rows = (*store)->count_indexes().ListIndexes(id);
  double bytes = 0;
  if (rows.ok() && !rows->empty()) {
    const std::string key = rows->front().key;
    auto summaries = (*store)->count_indexes().ChunkSummaries(key);
    for (const auto& c : summaries.ok() ? *summaries : std::vector<store::ChunkRow>{}) {
      auto full = (*store)->count_indexes().GetChunk(key, c.chunk);
      if (full.ok() && full->has_value()) bytes += static_cast<double>((*full)->summary.size() + (*full)->instances.size());
    }
  }
  std::printf("video %.1f s, %d samples/s, %d engine workers, state %s\n", duration, static_cast<int>(fps), workers,
              status["state"].get<std::string>().c_str());
  std::printf("bare engine (pre-decoded frames): %.1f frames/s\n", bare_fps);
  std::printf("indexer end to end:               %.1f samples/s = %.2fx the bound\n", samples / index_s,
              samples / index_s / bare_fps);
  std::printf("real-time factor:                 %.3f (index time / video time; 1 h takes %.1f min)\n",
              index_s / duration, index_s / duration * 60);
  std::printf("index size:                       %.2f MB per hour of video (%.0f bytes per sample)\n",
              bytes / duration * 3600 / 1e6, bytes / samples);
  ix.Stop();
  engine.Shutdown();
  fs::remove_all(data);
  return status["state"] == "done" ? 0 : 1;
}
