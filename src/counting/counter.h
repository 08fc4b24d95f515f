// Counter: tracker + consensus for ONE source (a camera, or a video being indexed): per-frame
// instances in, a count an operator can trust out, plus the track id of every instance.
//
// Per frame the counter's evidence is the detections with score >= count_score, corrected by what
// the tracks know: a settled confirmed animal (not moving) whose detection was dropped for at most
// `hold_frames` frames, or whose score dipped below count_score for a frame (its median recent
// score is still above), still counts. Moving animals are taken as the detector sees them, so an
// animal walking out through the gate leaves the count at once; so do tracks at the picture's edge
// (the frame's extent is learnt from the instances, which are clipped to it), where a track that
// appears or vanishes is an arrival or a departure. The evidence goes to the Consensus
// (consensus.h). raw_count is simply the instances with score >= count_score in this frame.
//
// Time: as Tracker — non-decreasing seconds; a jump back or a gap over tracker.lost_seconds
// starts the tracker and the consensus over (a seek).
// Thread-safety: none; one Counter per source, used from one thread at a time.
#pragma once

#include <vector>

#include "counting/consensus.h"
#include "counting/tracker.h"
#include "infer/instance.h"

namespace pw::counting {

struct CountingOptions {
  TrackerOptions tracker;
  ConsensusOptions consensus;
  float count_score = 0.5f;
  int hold_frames = 2;  // a confirmed track missed for up to this many frames still counts
};

struct CountFrame {
  CountState state;
  std::vector<int> track_ids;  // parallel to the input instances; 0 = no confirmed track
};

class Counter {
 public:
  explicit Counter(CountingOptions options = {});
  CountFrame Update(double t, const std::vector<infer::Instance>& instances);
  void Reset();

  const Tracker& tracker() const { return tracker_; }
  const CountingOptions& options() const { return options_; }

 private:
  FrameEvidence Evidence(double t, const std::vector<infer::Instance>& instances) const;
  bool AtBorder(const cv::Rect2f& box) const;

  CountingOptions options_;
  Tracker tracker_;
  Consensus consensus_;
  bool has_time_ = false;
  double last_t_ = 0;
  cv::Point2f extent_{0, 0};  // frame size as the instances show it (they are clipped to the frame)
};

}  // namespace pw::counting
