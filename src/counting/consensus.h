// Consensus: the count an operator can trust, from per-frame evidence over a sliding time window.
//
// Each frame brings a count (the counter's track evidence: animals in view), the raw detection
// count and whether animals are moving. The consensus count is the MODE of the frame counts over
// an evidence window (ties go to the most recent value) — no smoothing toward any expected number.
// The evidence window starts at the last change point, at most `window_seconds` back. While
// animals move, every frame is a change point: the count follows the frame's evidence (entries
// and exits show at once). When settled, the count has changed only when every frame of the last
// `change_seconds` (and at least `change_frames` frames) agrees on one new count;
// the window then restarts at those frames. Between changes, single-frame misses and false alarms
// are outvoted.
// confidence = agreement × coverage: agreement is the share of window frames that agree with the
// count, coverage how much of `window_seconds` the window spans. `stable` is set when the count has
// been unchanged and the scene settled (no motion) for `stable_seconds`, with agreement >=
// stable_agreement — the moment to take the weight.
//
// Time goes forward; an earlier time than the last starts over (as after Reset()).
// Thread-safety: none; one Consensus per source.
#pragma once

#include <deque>

#include <nlohmann/json.hpp>

namespace pw::counting {

struct ConsensusOptions {
  double window_seconds = 3.0;
  double stable_seconds = 2.0;
  // A confirmed track whose box centre moves faster than this many box diagonals per second (over
  // the last second) means the animals are not settled. Settled pigs sway at ~0.03 diag/s;
  // walking ones move at ~1 diag/s.
  double settled_speed = 0.2;
  double change_seconds = 1.0;
  int change_frames = 5;
  double stable_agreement = 0.5;
};

struct CountState {
  int count = 0;           // consensus count
  int raw_count = 0;       // detections with score >= count_score in this frame
  double confidence = 0;   // 0..1: agreement × coverage
  bool stable = false;
  double since = 0;        // time the current consensus count began
  double window = 0;       // seconds of evidence in the window
  double t = 0;            // time of the frame this state was computed at
  int tracks = 0;          // confirmed tracks in view
  double agreement = 0;    // share of window frames whose count equals `count`
  double spread = 0;       // mean |frame count - count| over the window
  bool settled = false;    // no animal moving in this frame
};

// {"count","raw_count","confidence","stable","since","window","t","tracks","agreement","spread","settled"}
nlohmann::json ToJson(const CountState& state);

// What one frame tells the consensus.
struct FrameEvidence {
  double t = 0;
  int count = 0;       // animals the frame shows (the counter's track evidence)
  int raw_count = 0;   // detections over the count threshold
  int tracks = 0;      // confirmed tracks in view
  bool moving = false; // some animal moves faster than settled_speed
};

class Consensus {
 public:
  explicit Consensus(ConsensusOptions options = {});
  CountState Update(const FrameEvidence& frame);
  void Reset();

 private:
  ConsensusOptions options_;
  std::deque<FrameEvidence> frames_;  // bounded by window_seconds of time
  double window_start_ = 0;  // last change point
  bool has_count_ = false;
  int count_ = 0;
  double since_ = 0;
  double started_ = 0;      // first frame after a reset
  bool ever_moved_ = false;
  double last_motion_ = 0;  // last frame with motion (valid when ever_moved_)
};

}  // namespace pw::counting
