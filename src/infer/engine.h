// Engine: the one inference engine of a process, shared by every source (interactive requests,
// live cameras, background indexing).
//
// - Loading never blocks the caller: Preload() (or the first Submit) imports and loads the model
//   on the engine's loader thread; state goes not_loaded → importing → loading → ready, or failed
//   with a reason, after which every Submit answers kUnavailable with that reason (Preload()
//   retries).
// - Requests carry a BGR frame, a priority and a deadline. Queues, one per priority, are bounded
//   by `queue_quota`; a full queue answers kBusy at once (the caller retries later; nothing piles
//   up). Workers always take the highest priority first, and a batch on a backend that cannot batch
//   yields between frames to higher-priority requests (the rest goes back to the front of its
//   queue, which may then hold up to max_batch more than its quota): background work delays
//   interactive work by one forward at most. A request whose deadline passes while
//   queued is answered kTimedOut and never run.
// - Strict priority would starve lower queues under sustained load (live counting plus a stream of
//   interactive requests left background indexing at zero progress in the soak), so every queue has
//   a minimum share: once a queue with waiting work has been passed over for `fair_share_after`
//   frames of other priorities, the next batch is taken from it (the most passed-over first). That
//   turn still yields after its first forward like any lower-priority batch, so it costs
//   higher-priority work one forward at most, and a waiting queue gets at least one forward in
//   every fair_share_after + 1.
// - Each worker owns a Backend (its own cv::dnn::Net). A worker takes up to `max_batch` queued
//   frames of one priority (fewer when other workers are idle), pre-processes them (letterbox),
//   runs them through Backend::RunBatch (one device batch on a batching backend; one by one on
//   OpenCV 4.6) and post-processes each, answering every requester through its callback.
//
// Callbacks run on a worker thread (or the caller's / shutting-down thread for immediate answers):
// keep them short; they may call Submit and Snapshot (not Preload or Shutdown). Each accepted request
// gets exactly one callback.
// Thread-safety: all methods may be called from any thread. The destructor calls Shutdown():
// queued requests are answered kCancelled, batches in flight finish, threads are joined.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "infer/backend.h"
#include "infer/engine_status.h"
#include "infer/instance.h"
#include "infer/model_info.h"
#include "infer/postprocess.h"

namespace pw::infer {

using BackendFactory = std::function<core::Result<std::unique_ptr<Backend>>(const ModelInfo&)>;

struct EngineOptions {
  std::filesystem::path model_path;        // MODEL_PATH (best.onnx)
  std::filesystem::path cache_dir;         // DATA_DIR/models: imported graphs
  cv::Size input_size{0, 0};               // {0,0}: export size; e.g. 640x384 for 16:9 sources
  int workers = 0;                         // 0: one per core
  int threads_per_net = 1;                 // cv::setNumThreads (process-wide); 0: OpenCV default
  int max_batch = 4;                       // BATCH
  // Queue bounds per priority (interactive, live, background); overflow → kBusy at once.
  std::array<std::size_t, kPriorityCount> queue_quota = {16, 32, 64};
  // Minimum share: a queue with waiting work runs after at most this many frames of other
  // priorities (≥ 1 forward in 5 under saturation by default); 0: strict priority.
  int fair_share_after = 4;
  PostprocessOptions postprocess;          // CONF_THRESHOLD, TARGET_CLASS_IDS, NMS IoU
  BackendFactory backend_factory;          // empty: CreateOpenCvBackend
};

struct InferRequest {
  cv::Mat frame;  // BGR CV_8UC3; shared, not copied: do not modify it until the result arrives
  Priority priority = Priority::kInteractive;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::optional<PostprocessOptions> postprocess;  // overrides EngineOptions::postprocess
};

struct InferResult {
  core::Status status;
  std::vector<Instance> instances;  // frame coordinates
  cv::Size frame_size;
  double queue_ms = 0, pre_ms = 0, forward_ms = 0, post_ms = 0;
  int batch_size = 0;               // frames taken together with this one
};

using InferCallback = std::function<void(InferResult)>;

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts loading in the background when not loaded or failed; returns the state at once.
  EngineState Preload();
  // Blocks until ready or failed (or the timeout); for CLI tools and tests, not servers.
  EngineState WaitUntilSettled(std::chrono::milliseconds timeout);

  // Queues a request. OK: `done` will be called exactly once. Otherwise nothing is queued and the
  // status says why: kBusy (queue full), kUnavailable (model failed: reason), kTimedOut (deadline
  // already past), kInvalidArgument (bad frame), kCancelled (shutting down).
  core::Status Submit(InferRequest request, InferCallback done);
  // Same, answered through a future (immediate refusals arrive as a ready result).
  std::future<InferResult> Submit(InferRequest request);

  EngineStatus Snapshot() const;
  std::optional<ModelInfo> model() const;

  // Answers queued requests kCancelled, lets batches in flight finish, joins all threads.
  void Shutdown();

 private:
  struct Pending {
    InferRequest request;
    InferCallback done;
    std::chrono::steady_clock::time_point enqueued;
  };

  void LoadModel();
  void Fail(const std::string& reason);
  void WorkerLoop(std::unique_ptr<Backend> backend);
  // Under mu_: removes expired requests into `expired`, then takes the next batch.
  void TakeBatch(std::vector<Pending>* batch, std::vector<Pending>* expired);
  void RunBatch(std::vector<Pending>& batch, Backend& backend);
  // Pre-processes, runs and post-processes `batch` as one Backend::RunBatch; answers each request.
  void RunChunk(std::vector<Pending>& batch, Backend& backend, int taken);
  void Answer(Pending& p, InferResult result);
  void RecordTimings(const InferResult& r, double total_ms);

  const EngineOptions options_;
  const int worker_count_;

  mutable std::mutex mu_;                 // state, model, queues, workers_
  std::condition_variable work_cv_;       // workers wait for requests
  std::condition_variable state_cv_;      // WaitUntilSettled
  EngineState state_ = EngineState::kNotLoaded;
  std::string reason_;
  std::optional<ModelInfo> model_;
  std::string backend_name_;
  std::vector<std::pair<std::string, double>> load_timings_;
  std::array<std::deque<Pending>, kPriorityCount> queues_;  // bounded by options_.queue_quota
  // Frames of other priorities taken since this queue was last served while it had work waiting.
  std::array<std::size_t, kPriorityCount> passed_over_{};
  std::array<std::uint64_t, kPriorityCount> fair_turns_{};  // batches taken by the minimum share
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  std::mutex loader_mu_;                  // serialises Preload/Shutdown around loader_
  std::thread loader_;

  std::atomic<std::uint64_t> submitted_{0}, completed_{0}, rejected_busy_{0}, timed_out_{0},
      cancelled_{0}, failed_{0}, batches_{0}, batched_frames_{0};
  mutable std::mutex stats_mu_;
  LatencyWindow queue_lat_, pre_lat_, forward_lat_, post_lat_, total_lat_;
  mutable RateMeter throughput_;
};

}  // namespace pw::infer
