#include "infer/engine.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <opencv2/core/utility.hpp>
#include <spdlog/spdlog.h>

#include "infer/importer.h"
#include "infer/opencv_backend.h"
#include "infer/preprocess.h"

namespace pw::infer {
namespace {

using Clock = std::chrono::steady_clock;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int DefaultWorkers(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(std::move(options)), worker_count_(DefaultWorkers(options_.workers)) {}

Engine::~Engine() { Shutdown(); }

EngineState Engine::Preload() {
  std::lock_guard loader_lock(loader_mu_);
  {
    std::lock_guard lock(mu_);
    if (stopping_ || (state_ != EngineState::kNotLoaded && state_ != EngineState::kFailed)) return state_;
    state_ = EngineState::kImporting;
    reason_.clear();
    load_timings_.clear();
  }
  state_cv_.notify_all();
  if (loader_.joinable()) loader_.join();  // a previous, finished attempt
  loader_ = std::thread(&Engine::LoadModel, this);
  return EngineState::kImporting;
}

EngineState Engine::WaitUntilSettled(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  state_cv_.wait_for(lock, timeout, [&] {
    return stopping_ || state_ == EngineState::kReady || state_ == EngineState::kFailed;
  });
  return state_;
}

void Engine::LoadModel() {
  ImportOptions import;
  import.cache_dir = options_.cache_dir;
  import.input_size = options_.input_size;
  auto info = ImportModel(options_.model_path, import);
  if (!info.ok()) return Fail(info.status().message());
  {
    std::lock_guard lock(mu_);
    state_ = EngineState::kLoading;
    model_ = *info;
    load_timings_ = info->timings_ms;
  }
  state_cv_.notify_all();
  if (options_.threads_per_net > 0) cv::setNumThreads(options_.threads_per_net);
  const auto start = Clock::now();
  std::vector<std::unique_ptr<Backend>> backends;
  for (int i = 0; i < worker_count_; ++i) {
    auto backend = options_.backend_factory ? options_.backend_factory(*info) : CreateOpenCvBackend(*info);
    if (!backend.ok()) return Fail(backend.status().message());
    backends.push_back(std::move(backend).value());
  }
  std::unique_lock lock(mu_);
  if (stopping_) return;
  load_timings_.emplace_back("load_workers", MsBetween(start, Clock::now()));
  backend_name_ = backends.front()->name();
  for (auto& b : backends) workers_.emplace_back(&Engine::WorkerLoop, this, std::move(b));
  state_ = EngineState::kReady;
  spdlog::info("inference engine ready: {} workers on {}, input {}x{}", worker_count_, backend_name_,
               info->input_width, info->input_height);
  lock.unlock();
  state_cv_.notify_all();
  work_cv_.notify_all();
}

void Engine::Fail(const std::string& reason) {
  std::vector<Pending> waiting;
  {
    std::lock_guard lock(mu_);
    state_ = EngineState::kFailed;
    reason_ = reason;
    for (auto& q : queues_) {
      for (auto& p : q) waiting.push_back(std::move(p));
      q.clear();
    }
  }
  spdlog::error("inference engine failed: {}", reason);
  state_cv_.notify_all();
  for (auto& p : waiting) {
    failed_++;
    InferResult r;
    r.status = core::Status::Unavailable(reason);
    Answer(p, std::move(r));
  }
}

core::Status Engine::Submit(InferRequest request, InferCallback done) {
  if (!done) return core::Status::InvalidArgument("Submit needs a callback");
  if (request.frame.empty() || request.frame.type() != CV_8UC3) {
    return core::Status::InvalidArgument("frame must be a non-empty 8-bit BGR image");
  }
  const auto p = static_cast<std::size_t>(request.priority);
  if (p >= kPriorityCount) return core::Status::InvalidArgument("unknown priority");
  bool start_loading = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return core::Status::Cancelled("the inference engine is shutting down");
    if (state_ == EngineState::kFailed) return core::Status::Unavailable(reason_);
    const auto now = Clock::now();
    if (request.deadline <= now) {
      timed_out_++;
      return core::Status::TimedOut("the request's deadline passed before it was queued");
    }
    auto& q = queues_[p];
    if (q.size() >= options_.queue_quota[p]) {
      rejected_busy_++;
      return core::Status::Busy(fmt::format(
          "the {} inference queue is full ({} frames waiting); try again shortly",
          PriorityName(request.priority), q.size()));
    }
    q.push_back({std::move(request), std::move(done), now});
    submitted_++;
    start_loading = state_ == EngineState::kNotLoaded;
  }
  if (start_loading) Preload();
  work_cv_.notify_one();
  return core::Status::Ok();
}

std::future<InferResult> Engine::Submit(InferRequest request) {
  auto promise = std::make_shared<std::promise<InferResult>>();
  auto future = promise->get_future();
  auto st = Submit(std::move(request), [promise](InferResult r) { promise->set_value(std::move(r)); });
  if (!st.ok()) {
    InferResult r;
    r.status = std::move(st);
    promise->set_value(std::move(r));
  }
  return future;
}

void Engine::TakeBatch(std::vector<Pending>* batch, std::vector<Pending>* expired) {
  const auto now = Clock::now();
  std::size_t total = 0;
  for (auto& q : queues_) {
    for (auto it = q.begin(); it != q.end();) {
      if (it->request.deadline <= now) {
        expired->push_back(std::move(*it));
        it = q.erase(it);
      } else {
        ++it;
      }
    }
    total += q.size();
  }
  // Share the queued work with the other workers instead of one worker taking it all.
  const auto share = (total + static_cast<std::size_t>(worker_count_) - 1) / static_cast<std::size_t>(worker_count_);
  const auto limit = std::clamp<std::size_t>(share, 1, static_cast<std::size_t>(std::max(1, options_.max_batch)));
  // One priority per batch: the highest with work, unless a lower one has waited its turn.
  std::optional<std::size_t> chosen;
  for (std::size_t p = 0; p < kPriorityCount; ++p) {
    if (!queues_[p].empty()) {
      chosen = p;
      break;
    }
  }
  if (!chosen) return;
  const auto after = static_cast<std::size_t>(std::max(0, options_.fair_share_after));
  if (after > 0) {
    const std::size_t first = *chosen;
    for (std::size_t p = first + 1; p < kPriorityCount; ++p) {
      if (!queues_[p].empty() && passed_over_[p] >= after && passed_over_[p] > passed_over_[*chosen]) {
        chosen = p;
      }
    }
    if (*chosen != first) fair_turns_[*chosen]++;
  }
  auto& q = queues_[*chosen];
  while (!q.empty() && batch->size() < limit) {
    batch->push_back(std::move(q.front()));
    q.pop_front();
  }
  passed_over_[*chosen] = 0;
  for (std::size_t p = 0; p < kPriorityCount; ++p) {
    if (p != *chosen && !queues_[p].empty()) passed_over_[p] += batch->size();
  }
}

void Engine::WorkerLoop(std::unique_ptr<Backend> backend) {
  for (;;) {
    std::vector<Pending> batch, expired;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] {
        return stopping_ || std::any_of(queues_.begin(), queues_.end(), [](const auto& q) { return !q.empty(); });
      });
      if (stopping_) return;
      TakeBatch(&batch, &expired);
    }
    if (!batch.empty()) {
      batches_++;
      batched_frames_ += batch.size();
    }
    for (auto& p : expired) {
      timed_out_++;
      InferResult r;
      r.status = core::Status::TimedOut("the request waited past its deadline and was not run");
      r.queue_ms = MsBetween(p.enqueued, Clock::now());
      Answer(p, std::move(r));
    }
    if (!batch.empty()) RunBatch(batch, *backend);
  }
}

void Engine::RunBatch(std::vector<Pending>& batch, Backend& backend) {
  // A backend that cannot batch runs the frames in chunks of what it can; between chunks, a request
  // of higher priority than the batch sends the rest back to the front of its queue, so a
  // background batch delays interactive work by one forward at most.
  const std::size_t chunk = static_cast<std::size_t>(std::max(1, backend.native_batch()));
  const auto priority = static_cast<std::size_t>(batch.front().request.priority);
  for (std::size_t begin = 0; begin < batch.size(); begin += chunk) {
    if (begin > 0) {
      std::lock_guard lock(mu_);
      const bool overtaken = std::any_of(queues_.begin(), queues_.begin() + static_cast<std::ptrdiff_t>(priority),
                                         [](const auto& q) { return !q.empty(); });
      if (overtaken && !stopping_) {
        auto& q = queues_[priority];
        q.insert(q.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(begin)),
                 std::make_move_iterator(batch.end()));
        work_cv_.notify_one();
        return;
      }
    }
    std::vector<Pending> part(std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(begin)),
                              std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), begin + chunk))));
    RunChunk(part, backend, static_cast<int>(batch.size()));
  }
}

void Engine::RunChunk(std::vector<Pending>& batch, Backend& backend, int taken) {
  const cv::Size input(model_->input_width, model_->input_height);  // model_ is fixed while ready
  const int num_classes = model_->num_classes;
  const auto started = Clock::now();
  std::vector<InferResult> results(batch.size());
  std::vector<Letterbox> boxes(batch.size());
  std::vector<cv::Mat> blobs;
  std::vector<std::size_t> index;  // blob → batch position
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto t0 = Clock::now();
    results[i].queue_ms = MsBetween(batch[i].enqueued, t0);
    results[i].frame_size = batch[i].request.frame.size();
    results[i].batch_size = taken;
    auto blob = MakeInputBlob(batch[i].request.frame, input, &boxes[i]);
    results[i].pre_ms = MsBetween(t0, Clock::now());
    if (!blob.ok()) {
      results[i].status = blob.status();
      continue;
    }
    blobs.push_back(std::move(blob).value());
    index.push_back(i);
  }
  std::vector<std::vector<cv::Mat>> outputs;
  const auto f0 = Clock::now();
  const core::Status forward = blobs.empty() ? core::Status::Ok() : backend.RunBatch(blobs, &outputs);
  const double forward_ms = blobs.empty() ? 0 : MsBetween(f0, Clock::now()) / static_cast<double>(blobs.size());
  for (std::size_t k = 0; k < index.size(); ++k) {
    InferResult& r = results[index[k]];
    r.forward_ms = forward_ms;
    if (!forward.ok() || k >= outputs.size()) {
      r.status = forward.ok() ? core::Status::Internal("backend returned too few outputs") : forward;
      continue;
    }
    const auto p0 = Clock::now();
    const auto& req = batch[index[k]].request;
    r.instances = Postprocess(outputs[k], num_classes, boxes[index[k]],
                              req.postprocess ? *req.postprocess : options_.postprocess);
    r.post_ms = MsBetween(p0, Clock::now());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i].status.ok()) {
      completed_++;
      RecordTimings(results[i], results[i].queue_ms + MsBetween(started, Clock::now()));
    } else {
      failed_++;
    }
    Answer(batch[i], std::move(results[i]));
  }
}

void Engine::RecordTimings(const InferResult& r, double total_ms) {
  std::lock_guard lock(stats_mu_);
  queue_lat_.Add(r.queue_ms);
  pre_lat_.Add(r.pre_ms);
  forward_lat_.Add(r.forward_ms);
  post_lat_.Add(r.post_ms);
  total_lat_.Add(total_ms);
  throughput_.Add(Clock::now());
}

void Engine::Answer(Pending& p, InferResult result) {
  try {
    p.done(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("inference callback threw: {}", e.what());
  } catch (...) {
    spdlog::error("inference callback threw a non-standard exception");
  }
}

EngineStatus Engine::Snapshot() const {
  EngineStatus s;
  {
    std::lock_guard lock(mu_);
    s.state = state_;
    s.reason = reason_;
    s.model = model_;
    s.backend = backend_name_;
    s.load_timings_ms = load_timings_;
    for (std::size_t p = 0; p < kPriorityCount; ++p) s.queue_depth[p] = queues_[p].size();
    s.fair_turns = fair_turns_;
  }
  s.model_path = options_.model_path.string();
  s.workers = worker_count_;
  s.threads_per_net = options_.threads_per_net;
  s.max_batch = options_.max_batch;
  s.queue_quota = options_.queue_quota;
  s.submitted = submitted_, s.completed = completed_, s.rejected_busy = rejected_busy_;
  s.timed_out = timed_out_, s.cancelled = cancelled_, s.failed = failed_;
  const auto batches = batches_.load();
  s.mean_batch = batches ? static_cast<double>(batched_frames_.load()) / static_cast<double>(batches) : 0;
  std::lock_guard lock(stats_mu_);
  s.latency = {{"queue", queue_lat_.Summary()}, {"pre", pre_lat_.Summary()},
               {"forward", forward_lat_.Summary()}, {"post", post_lat_.Summary()},
               {"total", total_lat_.Summary()}};
  s.throughput_fps = throughput_.PerSecond(Clock::now());
  return s;
}

std::optional<ModelInfo> Engine::model() const {
  std::lock_guard lock(mu_);
  return model_;
}

void Engine::Shutdown() {
  std::vector<Pending> waiting;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& q : queues_) {
      for (auto& p : q) waiting.push_back(std::move(p));
      q.clear();
    }
  }
  work_cv_.notify_all();
  state_cv_.notify_all();
  for (auto& p : waiting) {
    cancelled_++;
    InferResult r;
    r.status = core::Status::Cancelled("the inference engine is shutting down");
    Answer(p, std::move(r));
  }
  {
    std::lock_guard loader_lock(loader_mu_);
    if (loader_.joinable()) loader_.join();
  }
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

}  // namespace pw::infer
