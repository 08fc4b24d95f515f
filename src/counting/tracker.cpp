#include "counting/tracker.h"

#include <algorithm>
#include <cmath>

#include "counting/assignment.h"
#include "counting/overlap.h"

namespace pw::counting {
namespace {

constexpr double kSpeedBaselineSeconds = 1.0;

cv::Point2f Centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

float Median(const float* values, int count) {
  if (count <= 0) return 0.f;
  float v[8];
  count = std::min(count, 8);
  for (int i = 0; i < count; ++i) {  // insertion sort: at most a handful of scores
    int j = i;
    for (; j > 0 && v[j - 1] > values[i]; --j) v[j] = v[j - 1];
    v[j] = values[i];
  }
  return count % 2 ? v[count / 2] : (v[count / 2 - 1] + v[count / 2]) / 2;
}

}  // namespace

Tracker::Tracker(TrackerOptions options) : options_(options) {}

void Tracker::Reset() {
  tracks_.clear();
  next_id_ = 1;
  has_time_ = false;
  last_t_ = 0;
}

void Tracker::DropAllTracks() {
  tracks_.clear();
  has_time_ = false;
}

cv::Point2f Tracker::PredictedShift(const Track& track, double t) const {
  return track.velocity * static_cast<float>(std::min(t - track.last_seen, options_.lost_seconds));
}

float Tracker::Overlap(const Track& track, double t, const infer::Instance& instance) const {
  const cv::Point2f shift = PredictedShift(track, t);
  const cv::Rect2f predicted(track.box.x + shift.x, track.box.y + shift.y, track.box.width, track.box.height);
  const float box_iou = BoxIoU(predicted, instance.box);
  if (box_iou <= 0 || !options_.use_polygons || track.polygon.size() < 3 || instance.polygon.size() < 3) {
    return box_iou;
  }
  return PolygonIoU(track.polygon, shift, instance.polygon);
}

Tracker::Pairs Tracker::Match(double t, const std::vector<infer::Instance>& instances, std::vector<int>& track_idx,
                              std::vector<int>& inst_idx, float min_iou, float max_jump) const {
  Pairs pairs;
  const int rows = static_cast<int>(track_idx.size()), cols = static_cast<int>(inst_idx.size());
  if (rows == 0 || cols == 0) return pairs;
  // Cost: 1 - IoU for overlapping pairs; 1 + distance/diagonal for pairs only near enough;
  // kNoPair otherwise, so infeasible pairs never displace real ones.
  constexpr double kNoPair = 3.0;
  std::vector<double> cost(static_cast<size_t>(rows) * cols, kNoPair);
  for (int r = 0; r < rows; ++r) {
    const Track& track = tracks_[track_idx[r]];
    const cv::Point2f predicted = Centre(track.box) + PredictedShift(track, t);
    const float diagonal = std::hypot(track.box.width, track.box.height);
    for (int c = 0; c < cols; ++c) {
      const infer::Instance& in = instances[inst_idx[c]];
      const size_t k = static_cast<size_t>(r) * cols + c;
      const float iou = Overlap(track, t, in);
      if (iou >= min_iou) {
        cost[k] = 1.0 - iou;
        continue;
      }
      const double jump = cv::norm(Centre(in.box) - predicted) / std::max(diagonal, 1.f);
      if (jump < max_jump) cost[k] = 1.0 + jump;
    }
  }
  const std::vector<int> col_of_row = SolveAssignment(cost, rows, cols);
  std::vector<char> row_used(rows, 0), col_used(cols, 0);
  for (int r = 0; r < rows; ++r) {
    const int c = col_of_row[r];
    if (c < 0 || cost[static_cast<size_t>(r) * cols + c] >= kNoPair) continue;
    pairs.emplace_back(track_idx[r], inst_idx[c]);
    row_used[r] = col_used[c] = 1;
  }
  std::vector<int> rest_tracks, rest_inst;
  for (int r = 0; r < rows; ++r) {
    if (!row_used[r]) rest_tracks.push_back(track_idx[r]);
  }
  for (int c = 0; c < cols; ++c) {
    if (!col_used[c]) rest_inst.push_back(inst_idx[c]);
  }
  track_idx.swap(rest_tracks);
  inst_idx.swap(rest_inst);
  return pairs;
}

void Tracker::Absorb(Track& track, double t, const infer::Instance& instance, int index) {
  const cv::Point2f centre = Centre(instance.box);
  if (track.hits > 0 && t > track.last_seen) {
    const cv::Point2f measured = (centre - Centre(track.box)) * static_cast<float>(1.0 / (t - track.last_seen));
    // Alpha-beta style: follow the measured velocity halfway, damping detector jitter.
    track.velocity = track.has_velocity ? track.velocity + (measured - track.velocity) * 0.5f : measured;
    track.has_velocity = true;
  }
  track.scores[track.hits % kScoreHistory] = instance.score;
  track.hits++;
  track.missed = 0;
  track.last_seen = t;
  track.box = instance.box;
  track.polygon = instance.polygon;
  track.instance_index = index;
  track.path.emplace_back(t, centre);
  while (track.path.size() > 2 && track.path[1].first <= t - kSpeedBaselineSeconds) track.path.pop_front();
  if (!track.confirmed && track.hits >= options_.activation_frames) {
    track.confirmed = true;
    track.id = next_id_++;
  }
}

std::vector<TrackedInstance> Tracker::Update(double t, const std::vector<infer::Instance>& instances) {
  if (has_time_ && (t < last_t_ || t - last_t_ > options_.lost_seconds)) DropAllTracks();
  const bool fresh = !has_time_;
  has_time_ = true;
  last_t_ = t;

  std::vector<int> high, low, confirmed, tentative;
  for (int i = 0; i < static_cast<int>(instances.size()); ++i) {
    const float s = instances[i].score;
    if (s >= options_.high_score) {
      high.push_back(i);
    } else if (s >= options_.low_score) {
      low.push_back(i);
    }
  }
  for (int k = 0; k < static_cast<int>(tracks_.size()); ++k) {
    tracks_[k].instance_index = -1;
    (tracks_[k].confirmed ? confirmed : tentative).push_back(k);
  }

  Pairs pairs = Match(t, instances, confirmed, high, options_.match_iou, 0.f);
  for (const auto& p : Match(t, instances, confirmed, low, options_.low_match_iou, 0.f)) pairs.push_back(p);
  for (const auto& p : Match(t, instances, tentative, high, options_.match_iou, options_.max_jump)) pairs.push_back(p);
  for (const auto& [k, i] : pairs) Absorb(tracks_[k], t, instances[i], i);

  std::vector<char> dead(tracks_.size(), 0);
  for (int k : tentative) dead[k] = 1;
  for (int k : confirmed) {
    tracks_[k].missed++;
    if (t - tracks_[k].last_seen > options_.lost_seconds) dead[k] = 1;
  }
  std::vector<Track> kept;
  kept.reserve(tracks_.size() + high.size());
  for (size_t k = 0; k < tracks_.size(); ++k) {
    if (!dead[k]) kept.push_back(std::move(tracks_[k]));
  }
  tracks_.swap(kept);
  for (int i : high) {
    Track track;
    Absorb(track, t, instances[i], i);
    if (fresh && !track.confirmed) {
      track.confirmed = true;
      track.id = next_id_++;
    }
    tracks_.push_back(std::move(track));
  }

  std::vector<TrackedInstance> out;
  for (const Track& track : tracks_) {
    if (track.instance_index < 0) continue;
    out.push_back({track.instance_index, track.id, track.confirmed, track.velocity});
  }
  std::sort(out.begin(), out.end(),
            [](const TrackedInstance& a, const TrackedInstance& b) { return a.instance_index < b.instance_index; });
  return out;
}

std::vector<TrackInfo> Tracker::Tracks() const {
  std::vector<TrackInfo> out;
  out.reserve(tracks_.size());
  for (const Track& track : tracks_) {
    TrackInfo info;
    info.track_id = track.id;
    info.confirmed = track.confirmed;
    info.missed_frames = track.missed;
    info.matched_frames = track.hits;
    info.last_seen = track.last_seen;
    info.box = track.box;
    info.velocity = track.velocity;
    if (track.path.size() >= 2 && track.path.back().first > track.path.front().first) {
      const double dt = track.path.back().first - track.path.front().first;
      info.speed = static_cast<float>(cv::norm(track.path.back().second - track.path.front().second) / dt);
    }
    info.score = Median(track.scores, std::min(track.hits, kScoreHistory));
    info.instance_index = track.instance_index;
    out.push_back(info);
  }
  return out;
}

}  // namespace pw::counting
