#include "counting/consensus.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace pw::counting {

nlohmann::json ToJson(const CountState& s) {
  return {{"count", s.count},         {"raw_count", s.raw_count}, {"confidence", s.confidence},
          {"stable", s.stable},       {"since", s.since},         {"window", s.window},
          {"t", s.t},                 {"tracks", s.tracks},       {"agreement", s.agreement},
          {"spread", s.spread},       {"settled", s.settled}};
}

Consensus::Consensus(ConsensusOptions options) : options_(options) {}

void Consensus::Reset() {
  frames_.clear();
  has_count_ = false;
  ever_moved_ = false;
}

CountState Consensus::Update(const FrameEvidence& frame) {
  if (!frames_.empty() && frame.t < frames_.back().t) Reset();
  const double previous_t = frames_.empty() ? frame.t : frames_.back().t;
  if (frames_.empty()) started_ = frame.t;
  frames_.push_back(frame);
  while (frames_.front().t < frame.t - options_.window_seconds) frames_.pop_front();
  if (frame.moving) {
    ever_moved_ = true;
    last_motion_ = frame.t;
  }

  // Where the evidence window starts: this frame while animals move, else the last change point.
  if (frame.moving) {
    window_start_ = frame.t;  // animals come and go: follow the frame's evidence
  } else if (has_count_) {
    int recent = 0;
    double first_recent = frame.t;
    bool agreeing = false;
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
      if (recent >= options_.change_frames && it->t < frame.t - options_.change_seconds) break;
      // A change needs the recent frames to agree on a new count; noise scatters.
      if (it->count == count_ || it->count != frame.count) {
        agreeing = true;
        break;
      }
      recent++;
      first_recent = it->t;
    }
    if (!agreeing && recent >= options_.change_frames) window_start_ = first_recent;
  } else {
    window_start_ = frame.t;
  }
  const double from = window_start_;
  std::map<int, std::pair<int, double>> votes;  // count -> (frames, latest time)
  int used = 0;
  double first = frame.t;
  for (const FrameEvidence& f : frames_) {
    if (f.t < from) continue;
    auto& v = votes[f.count];
    v.first++;
    v.second = f.t;
    used++;
    first = std::min(first, f.t);
  }
  int mode = frame.count, best = 0;
  double best_t = -1e300;
  for (const auto& [count, v] : votes) {
    if (v.first > best || (v.first == best && v.second > best_t)) {
      mode = count;
      best = v.first;
      best_t = v.second;
    }
  }
  if (!has_count_ || mode != count_) {
    has_count_ = true;
    count_ = mode;
    since_ = frame.t;
  }

  CountState s;
  s.count = count_;
  s.raw_count = frame.raw_count;
  s.tracks = frame.tracks;
  s.t = frame.t;
  s.since = since_;
  s.window = frame.t - first;
  s.settled = !frame.moving;
  double deviation = 0;
  for (const FrameEvidence& f : frames_) {
    if (f.t >= from) deviation += std::abs(f.count - count_);
  }
  s.agreement = static_cast<double>(votes[count_].first) / used;
  s.spread = deviation / used;
  const double frame_interval = frame.t - previous_t;
  const double coverage = options_.window_seconds > 0
                              ? std::min(1.0, (s.window + frame_interval) / options_.window_seconds)
                              : 1.0;
  s.confidence = s.agreement * coverage;
  const double settled_for = frame.t - (ever_moved_ ? last_motion_ : started_);
  s.stable = !frame.moving && settled_for >= options_.stable_seconds &&
             frame.t - since_ >= options_.stable_seconds && s.agreement >= options_.stable_agreement;
  return s;
}

}  // namespace pw::counting
