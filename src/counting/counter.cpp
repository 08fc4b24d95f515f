#include "counting/counter.h"

#include <algorithm>
#include <cmath>

namespace pw::counting {

Counter::Counter(CountingOptions options)
    : options_(options), tracker_(options.tracker), consensus_(options.consensus) {}

void Counter::Reset() {
  tracker_.Reset();
  consensus_.Reset();
  has_time_ = false;
  extent_ = {0, 0};
}

CountFrame Counter::Update(double t, const std::vector<infer::Instance>& instances) {
  if (has_time_ && (t < last_t_ || t - last_t_ > options_.tracker.lost_seconds)) consensus_.Reset();
  has_time_ = true;
  last_t_ = t;

  CountFrame out;
  out.track_ids.assign(instances.size(), 0);
  for (const TrackedInstance& ti : tracker_.Update(t, instances)) {
    if (ti.confirmed) out.track_ids[static_cast<size_t>(ti.instance_index)] = ti.track_id;
  }

  for (const infer::Instance& in : instances) {
    extent_.x = std::max(extent_.x, in.box.x + in.box.width);
    extent_.y = std::max(extent_.y, in.box.y + in.box.height);
  }
  out.state = consensus_.Update(Evidence(t, instances));
  return out;
}

bool Counter::AtBorder(const cv::Rect2f& box) const {
  const float m = 0.02f * std::max(extent_.x, extent_.y) + 1.f;
  return box.x <= m || box.y <= m || box.x + box.width >= extent_.x - m || box.y + box.height >= extent_.y - m;
}

FrameEvidence Counter::Evidence(double t, const std::vector<infer::Instance>& instances) const {
  FrameEvidence e;
  e.t = t;
  for (const infer::Instance& in : instances) e.raw_count += in.score >= options_.count_score ? 1 : 0;
  e.count = e.raw_count;
  const std::vector<TrackInfo> tracks = tracker_.Tracks();
  std::vector<char> settled(tracks.size(), 0);
  for (size_t k = 0; k < tracks.size(); ++k) {
    const TrackInfo& track = tracks[k];
    const bool seen = track.missed_frames == 0;
    const double diagonal = std::hypot(track.box.width, track.box.height);
    // Speed over the last second, or the (faster-reacting, noisier) smoothed velocity at twice the bar.
    const double bar = options_.consensus.settled_speed * diagonal;
    const bool moving = diagonal > 0 && (track.speed > bar || cv::norm(track.velocity) > 2 * bar);
    const bool border = AtBorder(track.box);
    // Animals come and go through the picture's edge: a new track there is an arrival, a moving
    // one that vanished there a departure — events to follow, not noise to outvote.
    const bool arrival = seen && border && track.matched_frames == 1;
    const bool departure = border && track.missed_frames == 1 && moving;
    if ((seen && moving) || arrival || departure) e.moving = true;
    if (track.confirmed && seen) e.tracks++;
    settled[k] = track.confirmed && !moving && track.score >= options_.count_score;
  }
  // In a settled scene, a settled animal whose score dips for a frame or whose detection is
  // dropped is still there. While animals move they hide each other for real: no correction.
  if (e.moving) return e;
  for (size_t k = 0; k < tracks.size(); ++k) {
    const TrackInfo& track = tracks[k];
    if (!settled[k]) continue;
    if (track.missed_frames == 0) {
      if (instances[static_cast<size_t>(track.instance_index)].score < options_.count_score) e.count++;
    } else if (track.missed_frames <= options_.hold_frames) {
      e.count++;
    }
  }
  return e;
}

}  // namespace pw::counting
