// FrameCounter: what the model sees in one frame of a recorded video, on demand — the answer to
// "count at time t" for a position the background index has not reached, and the picture plus
// instances behind a weighing taken from a video position.
//
// The frame is decoded exactly as /frame shows it (the frame displayed at t), run through the
// shared engine at interactive priority (ahead of live and background work) with a deadline.
//
// Thread-safety: all methods may be called from any thread; they block (decode + inference), so
// call them off the network threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/status.h"
#include "infer/engine.h"
#include "infer/instance.h"
#include "library/count_codec.h"
#include "library/video_library.h"

namespace pw::library {

struct FrameCount {
  double t_requested = 0;
  double t_frame = 0;          // media time of the frame the instances belong to
  cv::Size frame_size;
  std::vector<infer::Instance> instances;
  std::vector<int> track_ids;  // parallel to instances; 0: untracked
  int raw_count = 0;           // instances at or above the counting score
  bool from_index = false;
  std::optional<IndexSample> consensus;  // from the index: consensus count, confidence, stable
  std::string model_hash;
  cv::Mat frame;               // BGR, only when asked for (evidence)
  float count_score = 0.5f;    // instances at or above it are counted animals
};

// {"t_requested","t_frame","count","raw_count","confidence","stable","from_index","frame_size":[w,h],
//  "instances":[{box,score,class_id,area,polygon,track_id,counted}],"model_hash"}. A single frame has no
// consensus: count = raw_count, confidence and stable are null. From the index, count is the
// consensus and "since" tells when it began.
nlohmann::json ToJson(const FrameCount& count);

class Indexer;

class FrameCounter {
 public:
  FrameCounter(VideoLibrary& library, infer::Engine& engine, float count_score,
               std::chrono::milliseconds deadline = std::chrono::seconds(10));

  // Answers from the background index when it covers t (unless the picture is wanted); otherwise
  // runs the frame and asks the indexer to do that region next. Set before serving.
  void SetIndexer(Indexer* indexer) { indexer_ = indexer; }

  struct Query {
    std::string client;       // a newer query of the same client cancels this one ("": never)
    bool keep_frame = false;  // the decoded picture too (evidence); always runs the frame
    // The instances of exactly the frame shown at t: when the index's nearest sample is another
    // frame, that frame is run (the consensus still comes from the index).
    bool exact = false;
  };
  // Errors: kNotFound (video), kInvalidArgument (t), kUnavailable (model not ready: the reason),
  // kBusy (engine queue full), kTimedOut, kCancelled (superseded by the same client's newer request).
  core::Result<FrameCount> CountAt(const std::string& video_id, double t, const Query& query);

 private:
  VideoLibrary& library_;
  infer::Engine& engine_;
  float count_score_;
  std::chrono::milliseconds deadline_;
  Indexer* indexer_ = nullptr;
};

}  // namespace pw::library
