#include "library/frame_counts.h"

#include <algorithm>
#include <cmath>

#include "library/indexer.h"

namespace pw::library {

nlohmann::json ToJson(const FrameCount& c) {
  nlohmann::json instances = nlohmann::json::array();
  for (size_t i = 0; i < c.instances.size(); ++i) {
    auto j = infer::ToJson(c.instances[i]);
    j["track_id"] = i < c.track_ids.size() ? c.track_ids[i] : 0;
    j["counted"] = c.instances[i].score >= c.count_score;
    instances.push_back(std::move(j));
  }
  nlohmann::json j = {{"t_requested", c.t_requested},
                      {"t_frame", c.t_frame},
                      {"count", c.raw_count},
                      {"raw_count", c.raw_count},
                      {"confidence", nullptr},
                      {"stable", nullptr},
                      {"from_index", c.from_index},
                      {"frame_size", {c.frame_size.width, c.frame_size.height}},
                      {"model_hash", c.model_hash},
                      {"instances", std::move(instances)}};
  if (c.consensus) {
    j["count"] = c.consensus->count;
    j["raw_count"] = c.consensus->raw_count;
    j["confidence"] = std::round(static_cast<double>(c.consensus->confidence) * 1000) / 1000;
    j["stable"] = c.consensus->stable;
    j["since"] = c.consensus->since;
  }
  return j;
}

namespace {

// The index's sample is the frame shown at t when it began at most one frame interval before t.
bool IsFrameShownAt(double sample_t, double t, double fps) {
  double interval = fps > 0 ? 1.0 / fps : 0.04;
  return sample_t <= t + 1e-6 && t - sample_t < interval - 1e-6;
}

}  // namespace

FrameCounter::FrameCounter(VideoLibrary& library, infer::Engine& engine, float count_score,
                           std::chrono::milliseconds deadline)
    : library_(library), engine_(engine), count_score_(count_score), deadline_(deadline) {}

core::Result<FrameCount> FrameCounter::CountAt(const std::string& video_id, double t, const Query& query) {
  if (!std::isfinite(t)) return core::Status::InvalidArgument("t must be a time in seconds, e.g. t=12.5");
  std::optional<IndexSample> consensus;
  if (indexer_ != nullptr && !query.keep_frame) {
    auto indexed = indexer_->Nearest(video_id, t);
    if (indexed.ok() && *indexed) {
      auto source = library_.Source(video_id);
      if (!source.ok()) return source.status();
      double shown = std::clamp(t, 0.0, source->index->duration_sec());
      if (!query.exact || IsFrameShownAt((*indexed)->sample.t, shown, source->fps)) {
        FrameCount out;
        out.t_requested = t;
        out.t_frame = (*indexed)->sample.t;
        out.frame_size = cv::Size(source->width, source->height);
        out.instances = std::move((*indexed)->instances.instances);
        out.track_ids = std::move((*indexed)->instances.track_ids);
        out.raw_count = (*indexed)->sample.raw_count;
        out.from_index = true;
        out.consensus = (*indexed)->sample;
        out.model_hash = indexer_->model_hash();
        out.count_score = count_score_;
        return out;
      }
      consensus = (*indexed)->sample;  // the count around t, with the exact frame's instances
    } else {
      indexer_->Playhead(video_id, t);
    }
  }
  auto frame = library_.FrameAt(video_id, std::max(0.0, t), 0, query.client);
  if (!frame.ok()) return frame.status();
  infer::InferRequest request;
  request.frame = frame->bgr;
  request.priority = infer::Priority::kInteractive;
  request.deadline = std::chrono::steady_clock::now() + deadline_;
  infer::InferResult result = engine_.Submit(std::move(request)).get();
  if (!result.status.ok()) return result.status;
  FrameCount out;
  out.t_requested = t;
  out.t_frame = frame->time_sec;
  out.frame_size = frame->bgr.size();
  out.instances = std::move(result.instances);
  out.count_score = count_score_;
  out.consensus = consensus;
  for (const auto& inst : out.instances) out.raw_count += inst.score >= count_score_ ? 1 : 0;
  if (out.consensus) out.consensus->raw_count = out.raw_count;
  if (auto model = engine_.model()) out.model_hash = model->hash;
  if (query.keep_frame) out.frame = std::move(frame->bgr);
  return out;
}

}  // namespace pw::library
