// Tracker: turns each frame's instances into tracks, so that every animal keeps one id while it is
// in view — ids drive overlay colours and numbers and the consensus count's track evidence.
//
// ByteTrack-style association on IoU (mask IoU of the outlines when both sides carry polygons,
// box IoU otherwise) with a constant-velocity motion model:
//   1. detections with score >= high_score against all confirmed tracks (seen or lost), IoU >= match_iou;
//   2. detections with low_score <= score < high_score against the confirmed tracks still
//      unmatched, IoU >= low_match_iou (keeps a track alive through a dip in confidence);
//   3. remaining high detections against tentative tracks, IoU >= match_iou.
// Stage 3 falls back on centre distance (max_jump) for pairs that overlap too little, so a fast
// newcomer at a few frames per second still builds up its activation frames.
// Each stage is an optimal (Hungarian) assignment on 1 - IoU. A high detection left over starts a
// tentative track; a tentative track is confirmed after `activation_frames` consecutive matches
// (at once on the first frame after a reset, when there is no history to wait for) and only then
// gets its public id (1, 2, ... in order of confirmation, so false alarms leave no holes). A
// tentative track that misses a frame is dropped; a confirmed one is kept `lost_seconds` after its
// last match and can be re-identified by stages 1–2 in that time.
//
// Time: Update() takes the frame's media or wall time in seconds. A time earlier than the last,
// or a gap longer than lost_seconds (a seek, a stalled camera), drops every track (ids keep
// counting up; Reset() restarts them at 1).
//
// Thread-safety: none; one Tracker per source, used from one thread at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "infer/instance.h"

namespace pw::counting {

struct TrackerOptions {
  float high_score = 0.5f;
  float low_score = 0.1f;
  float match_iou = 0.3f;
  float low_match_iou = 0.5f;
  int activation_frames = 3;
  double lost_seconds = 1.0;
  bool use_polygons = true;  // mask IoU when track and detection both have polygons
  // Stage 3 also accepts a pair whose IoU is too low but whose centres are within this many box
  // diagonals (fast walkers at a few frames per second overlap little from frame to frame); IoU
  // pairs are preferred to such pairs (they cost less in the assignment). Not used for confirmed tracks: with noisy detections it
  // would pair false alarms with dropped animals. 0: IoU only.
  float max_jump = 0.7f;
};

struct TrackedInstance {
  int instance_index = -1;   // into the instances given to Update()
  int track_id = 0;          // > 0 once confirmed; 0 while tentative
  bool confirmed = false;
  cv::Point2f velocity;      // box centre, frame pixels per second
};

// A track as the tracker holds it after the last Update() (for counting, overlays, debugging).
struct TrackInfo {
  int track_id = 0;          // 0 while tentative
  bool confirmed = false;
  int missed_frames = 0;     // consecutive frames without a match (0: matched in the last frame)
  int matched_frames = 0;    // frames matched in total
  double last_seen = 0;      // time of the last match
  cv::Rect2f box;            // box of the last matched instance
  cv::Point2f velocity;      // box centre, px/s (smoothed; what the motion model predicts with)
  float speed = 0;           // box centre displacement over the last ~second, px/s (0 if unknown)
  float score = 0;           // median score of the last few matched instances
  int instance_index = -1;   // instance matched in the last Update(), -1 if none
};

class Tracker {
 public:
  explicit Tracker(TrackerOptions options = {});

  // Instances of one frame at time t (seconds). Returns one entry per instance with score >=
  // low_score that got a track (matched or newly started), in instance order.
  std::vector<TrackedInstance> Update(double t, const std::vector<infer::Instance>& instances);

  // Tracks alive after the last Update(): confirmed (seen or lost) and tentative.
  std::vector<TrackInfo> Tracks() const;

  // Forgets every track and restarts ids at 1.
  void Reset();

  const TrackerOptions& options() const { return options_; }

 private:
  static constexpr int kScoreHistory = 3;
  struct Track {
    int id = 0;
    bool confirmed = false;
    int hits = 0;      // matched frames in total
    int missed = 0;    // consecutive misses
    double last_seen = 0;
    cv::Rect2f box;
    std::vector<cv::Point> polygon;
    cv::Point2f velocity;
    bool has_velocity = false;
    float scores[kScoreHistory] = {};
    int instance_index = -1;
    std::deque<std::pair<double, cv::Point2f>> path;  // box centres over the last ~second
  };
  using Pairs = std::vector<std::pair<int, int>>;  // (track index, instance index)

  // Matches tracks[track_idx] to instances[inst_idx] at time t; matched entries are removed from
  // both lists.
  Pairs Match(double t, const std::vector<infer::Instance>& instances, std::vector<int>& track_idx,
              std::vector<int>& inst_idx, float min_iou, float max_jump) const;
  cv::Point2f PredictedShift(const Track& track, double t) const;
  float Overlap(const Track& track, double t, const infer::Instance& instance) const;
  void Absorb(Track& track, double t, const infer::Instance& instance, int index);
  void DropAllTracks();

  TrackerOptions options_;
  std::vector<Track> tracks_;
  int next_id_ = 1;
  bool has_time_ = false;
  double last_t_ = 0;
};

}  // namespace pw::counting
