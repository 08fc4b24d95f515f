// Indexer: counts every recorded video in the background, so that scrubbing shows the count and
// masks of any position at once and the timeline can draw the count over the whole video.
//
// Per video, frames are sampled at `sample_fps` (0: every frame), decoded ahead into a bounded
// queue (decode never stalls inference), run through the shared engine at background priority
// (interactive and live requests go first), then through a tracker + consensus Counter. Results
// are committed to the store in chunks of `chunk_seconds` of media time, each chunk in one
// transaction: after a crash or restart indexing continues with the missing chunks, and finished
// indexes are loaded, never recomputed.
//
// Each chunk is computed on its own — its Counter warmed up on the samples just before it (taken
// from the previous chunk when that one is stored, else inferred) — so chunks can be done in any
// order with the same result: the playhead's region first (Playhead()), then onwards. Track ids
// restart per chunk (a colour change every chunk_seconds at most).
//
// An index belongs to (video, model hash, counting parameters): a new model or parameters start a
// new index; old ones are kept or dropped (IndexerOptions::keep_old) and listed in Status().
//
// Threads: `jobs` workers (each indexes one video at a time, videos take turns chunk by chunk)
// and one decoder thread per chunk in progress; all owned and joined by Stop()/the destructor.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "counting/counter.h"
#include "infer/engine.h"
#include "library/count_codec.h"
#include "library/count_series.h"
#include "library/lru_cache.h"
#include "library/video_library.h"
#include "store/count_index.h"

namespace pw::library {

struct IndexerOptions {
  double sample_fps = 5;        // INDEX_FPS; 0: every frame
  double chunk_seconds = 30;
  int jobs = 2;                 // INDEX_JOBS: videos indexed at the same time
  int in_flight = 8;            // frames per video waiting in the engine
  int decode_ahead = 16;        // decoded frames waiting per video
  bool auto_index = true;       // AUTO_INDEX: index every video when it is registered
  bool keep_old = true;         // keep indexes of other models/parameters
  counting::CountingOptions counting;
  nlohmann::json params;        // what else changes results (thresholds, classes): part of the key
  std::filesystem::path model_path;
  size_t cache_bytes = 64u << 20;  // decoded instances kept in memory
};

// One indexed frame with its instances.
struct IndexedFrame {
  IndexSample sample;
  SampleInstances instances;
};

class Indexer {
 public:
  // (video id, event, coalesce key) — progress events share a key per video, so a slow client
  // gets the newest.
  using Notify = std::function<void(const std::string&, const nlohmann::json&, const std::string&)>;

  Indexer(IndexerOptions options, VideoLibrary& library, infer::Engine& engine, store::CountIndexStore& store,
          Notify notify = {});
  ~Indexer();
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // Hashes the model file, loads the stored indexes of this model and parameters, resumes the
  // unfinished ones and (auto_index) queues videos without one. Returns at once.
  void Start();
  void Stop();

  // Start or resume indexing a video. kNotFound for an unknown video.
  core::Status Enqueue(const std::string& video_id);
  core::Status Pause(const std::string& video_id);
  // Stops indexing; finished chunks stay usable. Enqueue() resumes.
  core::Status Cancel(const std::string& video_id);
  // Stops and deletes every index of the video (it was deleted).
  void Drop(const std::string& video_id);
  // Someone is looking at t: index that region next.
  void Playhead(const std::string& video_id, double t);

  // {"video","state" (starting, not_indexed, queued, running, paused, done, failed, cancelled),"percent","chunks_done","chunks_total","samples_done","samples_total",
  //  "rate_fps","eta_s","sample_fps","model_hash","params","error","other_indexes":[...]}
  core::Result<nlohmann::json> Status(const std::string& video_id);
  // The indexed frame nearest t; nullopt while t's region is not indexed.
  core::Result<std::optional<IndexedFrame>> Nearest(const std::string& video_id, double t);
  core::Result<nlohmann::json> Counts(const std::string& video_id, double from, double to, int points);
  core::Result<nlohmann::json> Moments(const std::string& video_id);
  // Stable spans as values (the journal's best frame).
  core::Result<std::vector<Moment>> MomentList(const std::string& video_id);
  // SHA-256 of the model the indexes belong to (empty until Start() hashed it).
  std::string model_hash() const;

 private:
  struct Job;
  struct ChunkWork;

  std::shared_ptr<Job> FindJob(const std::string& video_id);
  core::Result<std::shared_ptr<Job>> LoadOrCreateJob(const std::string& video_id);
  void Initialise();
  void WorkerLoop(int worker);
  std::shared_ptr<Job> PickJob(int& chunk);
  core::Status RunChunk(Job& job, int chunk);
  core::Result<std::shared_ptr<const std::vector<SampleInstances>>> ChunkInstances(const Job& job, int chunk);
  void Publish(const Job& job);
  nlohmann::json StatusLocked(const Job& job) const;
  std::vector<IndexSample> AllSamplesLocked(const Job& job) const;
  std::string KeyFor(const std::string& video_id) const;

  IndexerOptions options_;
  VideoLibrary& library_;
  infer::Engine& engine_;
  store::CountIndexStore& store_;
  Notify notify_;
  std::string params_json_;
  std::string params_hash_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::string model_hash_;          // empty until Initialise() hashed the model
  std::string model_error_;
  bool initialised_ = false;        // stored indexes loaded (Status says "starting" before)
  std::map<std::string, std::shared_ptr<Job>> jobs_;  // by video id
  uint64_t turn_ = 0;               // round-robin between videos
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  LruCache<std::vector<SampleInstances>> instance_cache_;
};

}  // namespace pw::library
