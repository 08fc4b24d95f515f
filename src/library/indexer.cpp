#include "library/indexer.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "infer/onnx_file.h"
#include "library/count_series.h"
#include "library/indexer_job.h"

namespace pw::library {
namespace {

using Clock = std::chrono::steady_clock;

// FNV-1a: a stable 64-bit hash of the parameters text (same value on every run and machine).
std::string StableHash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

size_t InstancesBytes(const std::vector<SampleInstances>& v) {
  size_t bytes = sizeof(v);
  for (const auto& s : v) {
    bytes += sizeof(s) + s.track_ids.size() * sizeof(int);
    for (const auto& i : s.instances) bytes += sizeof(i) + i.polygon.size() * sizeof(cv::Point);
  }
  return bytes;
}

}  // namespace

Indexer::Indexer(IndexerOptions options, VideoLibrary& library, infer::Engine& engine,
                 store::CountIndexStore& store, Notify notify)
    : options_(std::move(options)),
      library_(library),
      engine_(engine),
      store_(store),
      notify_(std::move(notify)),
      instance_cache_(options_.cache_bytes, &InstancesBytes) {
  nlohmann::json params = options_.params.is_object() ? options_.params : nlohmann::json::object();
  params["sample_fps"] = options_.sample_fps;
  params["chunk_s"] = options_.chunk_seconds;
  params["window_s"] = options_.counting.consensus.window_seconds;
  params["stable_s"] = options_.counting.consensus.stable_seconds;
  params["count_score"] = options_.counting.count_score;
  params["activation_frames"] = options_.counting.tracker.activation_frames;
  params_json_ = params.dump();
  params_hash_ = StableHash(params_json_);
}

Indexer::~Indexer() { Stop(); }

void Indexer::Start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty() || stopping_) return;
  for (int w = 0; w < std::max(1, options_.jobs); ++w) {
    threads_.emplace_back([this, w] { WorkerLoop(w); });
  }
}

void Indexer::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->abort = true;  // states stay as stored: resumed next start
    threads.swap(threads_);
  }
  work_cv_.notify_all();
  for (auto& t : threads) t.join();
}

std::string Indexer::KeyFor(const std::string& video_id) const {
  return video_id + "|" + model_hash_.substr(0, 16) + "|" + params_hash_;
}

void Indexer::Initialise() {
  auto hash = infer::Sha256OfFile(options_.model_path);
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mu_);
    if (!hash.ok()) {
      model_error_ = "cannot read the model file: " + hash.status().message();
      spdlog::error("indexer: {}; no video will be indexed", model_error_);
      return;
    }
    model_hash_ = *hash;
  }
  // Videos with an unfinished index of this model resume; with auto_index, every video gets one.
  auto indexes = store_.ListIndexes("");
  if (indexes.ok()) {
    for (const auto& row : *indexes) {
      if (row.key != KeyFor(row.video_id)) continue;
      auto job = LoadOrCreateJob(row.video_id);
      if (!job.ok()) {
        spdlog::warn("indexer: video {}: {}", row.video_id, job.status().message());
        continue;
      }
      if (row.state == "queued" || row.state == "running") wanted.push_back(row.video_id);
    }
  }
  if (options_.auto_index) {
    auto videos = library_.List();
    if (videos.ok()) {
      for (const auto& v : (*videos)["videos"]) {
        std::string id = v.value("id", "");
        if (!id.empty() && !FindJob(id)) wanted.push_back(id);
      }
    }
  }
  for (const auto& id : wanted) {
    if (auto st = Enqueue(id); !st.ok()) spdlog::warn("indexer: video {}: {}", id, st.message());
  }
  std::lock_guard lock(mu_);
  initialised_ = true;
  spdlog::info("indexer: model {}, parameters {}: {} videos loaded, {} to index", model_hash_.substr(0, 12),
               params_hash_, jobs_.size(), wanted.size());
}

std::shared_ptr<Indexer::Job> Indexer::FindJob(const std::string& video_id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(video_id);
  return it == jobs_.end() ? nullptr : it->second;
}

core::Result<std::shared_ptr<Indexer::Job>> Indexer::LoadOrCreateJob(const std::string& video_id) {
  if (auto job = FindJob(video_id)) return job;
  auto source = library_.Source(video_id);
  if (!source.ok()) return source.status();
  auto job = std::make_shared<Job>();
  job->video_id = video_id;
  job->source = *source;
  {
    std::lock_guard lock(mu_);
    if (model_hash_.empty()) return core::Status::Unavailable(model_error_.empty() ? "the indexer is starting" : model_error_);
    job->key = KeyFor(video_id);
  }
  const auto& index = *source->index;
  job->duration = std::max(0.0, index.duration_sec());
  double video_fps = job->duration > 0 ? static_cast<double>(index.frame_count) / job->duration : 25.0;
  if (options_.sample_fps > 0) {
    job->fps = options_.sample_fps;
  } else {
    job->fps = video_fps > 0 ? video_fps : 25.0;
    job->offset = 0.25 / job->fps;  // inside each frame's display interval
  }
  job->samples_total = std::max<int64_t>(1, static_cast<int64_t>(std::ceil((job->duration - job->offset) * job->fps - 1e-9)));
  job->samples_per_chunk = std::max(1, static_cast<int>(std::lround(options_.chunk_seconds * job->fps)));
  job->chunks_total = static_cast<int>((job->samples_total + job->samples_per_chunk - 1) / job->samples_per_chunk);
  job->chunks.resize(job->chunks_total);

  store::IndexRow row;
  row.key = job->key;
  row.video_id = video_id;
  row.model_hash = model_hash_;
  row.params_json = params_json_;
  row.sample_fps = options_.sample_fps;
  row.chunk_seconds = options_.chunk_seconds;
  row.chunks_total = job->chunks_total;
  row.state = "queued";
  PW_RETURN_IF_ERROR(store_.UpsertIndex(row));
  auto stored = store_.ListIndexes(video_id);
  if (!stored.ok()) return stored.status();
  for (const auto& r : *stored) {
    if (r.key == job->key) {
      job->state = r.state;
      job->error = r.error;
    } else if (options_.keep_old) {
      job->others.push_back(r);
    } else {
      (void)store_.DeleteIndex(r.key);
      spdlog::info("indexer: dropped the old index {} of video {}", r.key, video_id);
    }
  }
  auto chunks = store_.ChunkSummaries(job->key);
  if (!chunks.ok()) return chunks.status();
  for (const auto& c : *chunks) {
    if (c.chunk < 0 || c.chunk >= job->chunks_total) continue;
    auto samples = DecodeSummaries(c.summary);
    if (!samples.ok()) {
      spdlog::warn("indexer: video {} chunk {}: {} (it will be redone)", video_id, c.chunk, samples.status().message());
      continue;
    }
    job->samples_done += static_cast<int64_t>(samples->size());
    job->chunks[c.chunk] = std::make_shared<const std::vector<IndexSample>>(std::move(samples).value());
    job->chunks_done++;
  }
  std::lock_guard lock(mu_);
  auto [it, inserted] = jobs_.emplace(video_id, job);
  return it->second;
}

core::Status Indexer::Enqueue(const std::string& video_id) {
  auto job = LoadOrCreateJob(video_id);
  if (!job.ok()) return job.status();
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    Job& j = **job;
    if (j.chunks_done == j.chunks_total) {
      changed = j.state != "done";
      j.state = "done";
    } else if (j.state != "running" && j.state != "queued") {
      j.state = "queued";
      j.error.clear();
      j.abort = false;
      changed = true;
    } else {
      j.abort = false;
    }
  }
  if (changed) PW_RETURN_IF_ERROR(store_.SetIndexState((*job)->key, (*job)->state, ""));
  work_cv_.notify_all();
  Publish(**job);
  return core::Status::Ok();
}

core::Status Indexer::Pause(const std::string& video_id) {
  auto job = FindJob(video_id);
  if (!job) return core::Status::NotFound("video " + video_id + " is not being indexed");
  {
    std::lock_guard lock(mu_);
    if (job->state == "done") return core::Status::Conflict("the index of video " + video_id + " is complete");
    job->state = "paused";
    job->abort = true;
  }
  PW_RETURN_IF_ERROR(store_.SetIndexState(job->key, "paused", ""));
  Publish(*job);
  return core::Status::Ok();
}

core::Status Indexer::Cancel(const std::string& video_id) {
  auto job = FindJob(video_id);
  if (!job) return core::Status::NotFound("video " + video_id + " is not being indexed");
  {
    std::lock_guard lock(mu_);
    if (job->state == "done") return core::Status::Ok();
    job->state = "cancelled";
    job->abort = true;
  }
  PW_RETURN_IF_ERROR(store_.SetIndexState(job->key, "cancelled", ""));
  Publish(*job);
  return core::Status::Ok();
}

void Indexer::Drop(const std::string& video_id) {
  {
    std::unique_lock lock(mu_);
    auto it = jobs_.find(video_id);
    if (it != jobs_.end()) {
      auto job = it->second;
      job->abort = true;
      job->state = "cancelled";
      work_cv_.wait(lock, [&] { return !job->claimed; });
      jobs_.erase(video_id);
    }
  }
  instance_cache_.EraseWithPrefix(video_id + "|");
  auto indexes = store_.ListIndexes(video_id);
  if (!indexes.ok()) return;
  for (const auto& row : *indexes) (void)store_.DeleteIndex(row.key);
  if (!indexes->empty()) spdlog::info("indexer: deleted the indexes of video {}", video_id);
}

void Indexer::Playhead(const std::string& video_id, double t) {
  auto job = FindJob(video_id);
  if (!job) return;
  std::lock_guard lock(mu_);
  int c = job->ChunkOfTime(t);
  job->playhead_chunk = c;
  job->playhead_at = Clock::now();
  job->next_hint = c;
  work_cv_.notify_all();
}

std::shared_ptr<Indexer::Job> Indexer::PickJob(int& chunk) {
  // Caller holds mu_. A video someone is looking at goes first; otherwise videos take turns.
  std::shared_ptr<Job> best;
  const auto now = Clock::now();
  auto watched = [&](const Job& j) { return j.playhead_chunk && now - j.playhead_at < std::chrono::seconds(60); };
  for (auto& [id, job] : jobs_) {
    if (job->claimed || (job->state != "queued" && job->state != "running") || !job->NextChunk()) continue;
    if (!best) {
      best = job;
    } else if (watched(*job) != watched(*best)) {
      if (watched(*job)) best = job;
    } else if (watched(*job) ? job->playhead_at > best->playhead_at : job->last_turn < best->last_turn) {
      best = job;
    }
  }
  if (!best) return nullptr;
  chunk = *best->NextChunk();
  best->claimed = true;
  best->last_turn = ++turn_;
  return best;
}

void Indexer::WorkerLoop(int worker) {
  pthread_setname_np(pthread_self(), ("pw-index-" + std::to_string(worker)).c_str());
  if (worker == 0) {
    try {
      Initialise();
    } catch (const std::exception& e) {
      spdlog::error("indexer: start-up failed: {}", e.what());
    }
    work_cv_.notify_all();
  }
  for (;;) {
    std::shared_ptr<Job> job;
    int chunk = 0;
    bool became_running = false;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] {
        if (stopping_) return true;
        job = PickJob(chunk);
        return job != nullptr;
      });
      if (stopping_) {
        if (job) job->claimed = false;
        work_cv_.notify_all();
        return;
      }
      became_running = job->state == "queued";
      job->state = "running";
      job->abort = false;
    }
    if (became_running) (void)store_.SetIndexState(job->key, "running", "");
    auto started = Clock::now();
    core::Status st;
    try {
      st = RunChunk(*job, chunk);
    } catch (const std::exception& e) {  // a bug must not take the server down
      st = core::Status::Internal(e.what());
    }
    bool finished = false;
    {
      std::lock_guard lock(mu_);
      job->claimed = false;
      job->busy_seconds += std::chrono::duration<double>(Clock::now() - started).count();
      if (st.ok()) {
        job->next_hint = chunk + 1;
        if (job->playhead_chunk == chunk) job->playhead_chunk.reset();
        if (job->chunks_done == job->chunks_total && job->state == "running") {
          job->state = "done";
          finished = true;
        }
      } else if (!job->abort || stopping_) {
        if (!stopping_) {
          job->state = "failed";
          job->error = fmt::format("at {:.1f} s: {}", job->SampleTime(static_cast<int64_t>(chunk) * job->samples_per_chunk),
                                   st.message());
          spdlog::error("indexer: video {} {}", job->video_id, job->error);
        }
      }
    }
    work_cv_.notify_all();
    if (finished) {
      (void)store_.SetIndexState(job->key, "done", "");
      spdlog::info("indexer: video {} indexed ({} samples, {:.1f} samples/s)", job->video_id, job->samples_done,
                   job->busy_seconds > 0 ? static_cast<double>(job->samples_computed.load()) / job->busy_seconds : 0.0);
    } else if (!st.ok() && job->state == "failed") {
      (void)store_.SetIndexState(job->key, "failed", job->error);
    }
    Publish(*job);
  }
}

core::Result<std::shared_ptr<const std::vector<SampleInstances>>> Indexer::ChunkInstances(const Job& job, int chunk) {
  std::string cache_key = job.key + "/" + std::to_string(chunk);
  if (auto hit = instance_cache_.Get(cache_key)) return hit;
  auto row = store_.GetChunk(job.key, chunk);
  if (!row.ok()) return row.status();
  if (!*row) return core::Status::NotFound("chunk " + std::to_string(chunk) + " is not indexed");
  auto decoded = DecodeInstances((*row)->instances);
  if (!decoded.ok()) return decoded.status();
  auto shared = std::make_shared<const std::vector<SampleInstances>>(std::move(decoded).value());
  instance_cache_.Put(cache_key, shared);
  return shared;
}

nlohmann::json Indexer::StatusLocked(const Job& job) const {
  double rate = job.busy_seconds > 0 ? static_cast<double>(job.samples_computed.load()) / job.busy_seconds : 0.0;
  int64_t left = job.samples_total - job.samples_done;
  nlohmann::json others = nlohmann::json::array();
  for (const auto& o : job.others) {
    others.push_back({{"key", o.key}, {"model_hash", o.model_hash}, {"params", nlohmann::json::parse(o.params_json, nullptr, false)},
                      {"state", o.state}, {"chunks_done", o.chunks_done}, {"chunks_total", o.chunks_total}});
  }
  return {{"type", "index_progress"},
          {"video", job.video_id},
          {"state", job.state},
          {"error", job.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.error)},
          {"percent", job.samples_total ? std::round(1000.0 * job.samples_done / job.samples_total) / 10 : 0.0},
          {"chunks_done", job.chunks_done},
          {"chunks_total", job.chunks_total},
          {"samples_done", job.samples_done},
          {"samples_total", job.samples_total},
          {"sample_fps", job.fps},
          {"rate_fps", std::round(rate * 10) / 10},
          {"eta_s", rate > 0 && left > 0 ? nlohmann::json(std::round(left / rate)) : nlohmann::json(nullptr)},
          {"model_hash", model_hash_},
          {"params", nlohmann::json::parse(params_json_)},
          {"other_indexes", std::move(others)}};
}

void Indexer::Publish(const Job& job) {
  if (!notify_) return;
  nlohmann::json status;
  {
    std::lock_guard lock(mu_);
    status = StatusLocked(job);
  }
  notify_(job.video_id, status, "index:" + job.video_id);
}

core::Result<nlohmann::json> Indexer::Status(const std::string& video_id) {
  auto job = FindJob(video_id);
  if (!job) {
    auto source = library_.Source(video_id);
    if (!source.ok()) return source.status();
    std::lock_guard lock(mu_);
    // Until start-up has loaded the stored indexes, "starting" (not "not_indexed": one may exist).
    const char* state = !model_error_.empty() ? "failed" : initialised_ ? "not_indexed" : "starting";
    return nlohmann::json{{"type", "index_progress"}, {"video", video_id},
                          {"state", state},
                          {"error", model_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(model_error_)},
                          {"percent", 0}, {"chunks_done", 0}, {"samples_done", 0}};
  }
  std::lock_guard lock(mu_);
  return StatusLocked(*job);
}

std::vector<IndexSample> Indexer::AllSamplesLocked(const Job& job) const {
  std::vector<IndexSample> all;
  all.reserve(static_cast<size_t>(job.samples_done));
  for (const auto& c : job.chunks) {
    if (c) all.insert(all.end(), c->begin(), c->end());
  }
  return all;
}

core::Result<std::optional<IndexedFrame>> Indexer::Nearest(const std::string& video_id, double t) {
  auto job = FindJob(video_id);
  if (!job) return std::optional<IndexedFrame>();
  std::shared_ptr<const std::vector<IndexSample>> samples;
  int chunk = 0;
  {
    std::lock_guard lock(mu_);
    chunk = job->ChunkOfTime(t);
    samples = job->chunks[chunk];
    // The nearest sample may sit just across a chunk boundary.
    if (samples && !samples->empty()) {
      for (int neighbour : {chunk - 1, chunk + 1}) {
        if (neighbour < 0 || neighbour >= job->chunks_total || !job->chunks[neighbour]) continue;
        const auto& other = *job->chunks[neighbour];
        auto mine = NearestSample(*samples, t);
        auto theirs = NearestSample(other, t);
        if (theirs && std::fabs(other[*theirs].t - t) < std::fabs((*samples)[*mine].t - t)) {
          samples = job->chunks[neighbour];
          chunk = neighbour;
        }
      }
    }
  }
  if (!samples || samples->empty()) return std::optional<IndexedFrame>();
  size_t i = *NearestSample(*samples, t);
  auto instances = ChunkInstances(*job, chunk);
  if (!instances.ok()) return instances.status();
  if (i >= (*instances)->size()) return core::Status::Internal("index chunk instances do not match its samples");
  return std::optional<IndexedFrame>(IndexedFrame{(*samples)[i], (**instances)[i]});
}

core::Result<nlohmann::json> Indexer::Counts(const std::string& video_id, double from, double to, int points) {
  auto job = FindJob(video_id);
  double duration = 0;
  if (job) {
    duration = job->duration;  // no store or file access for indexed videos: answers from memory
  } else {
    auto source = library_.Source(video_id);
    if (!source.ok()) return source.status();
    duration = source->index->duration_sec();
  }
  from = std::max(0.0, from);
  to = std::min(to, duration);
  if (!(to > from)) {
    return core::Status::InvalidArgument(fmt::format("from must be before to, within the video's {:.3f} s", duration));
  }
  points = std::clamp(points, 1, 10000);
  const std::string cache_key = fmt::format("{}|{}|{}", from, to, points);
  std::vector<IndexSample> all;
  uint64_t version = 0;
  if (job) {
    std::lock_guard lock(mu_);
    auto hit = job->counts_cache.find(cache_key);
    if (hit != job->counts_cache.end() && hit->second.first == job->version) return hit->second.second;
    all = AllSamplesLocked(*job);
    version = job->version;
  }
  nlohmann::json j = BucketCounts(all, from, to, points);
  j["video"] = video_id;
  j["duration"] = duration;
  j["indexed"] = all.size();
  if (job) {
    std::lock_guard lock(mu_);
    if (job->counts_cache.size() >= 32) job->counts_cache.clear();
    job->counts_cache[cache_key] = {version, j};
  }
  return j;
}

core::Result<std::vector<Moment>> Indexer::MomentList(const std::string& video_id) {
  auto source = library_.Source(video_id);
  if (!source.ok()) return source.status();
  auto job = FindJob(video_id);
  if (!job) return std::vector<Moment>();
  std::vector<IndexSample> all;
  double fps = 0;
  {
    std::lock_guard lock(mu_);
    all = AllSamplesLocked(*job);
    fps = job->fps;
  }
  return FindMoments(all, options_.counting.consensus.stable_seconds, 1.5 / fps);
}

core::Result<nlohmann::json> Indexer::Moments(const std::string& video_id) {
  auto moments = MomentList(video_id);
  if (!moments.ok()) return moments.status();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : *moments) list.push_back(ToJson(m));
  return nlohmann::json{{"video", video_id}, {"moments", std::move(list)}};
}

std::string Indexer::model_hash() const {
  std::lock_guard lock(mu_);
  return model_hash_;
}

}  // namespace pw::library
