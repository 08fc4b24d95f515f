#include "app/evidence.h"

#include <utility>

#include "media/image.h"

namespace pw::app {
namespace {

// A video position. Inside a stable span of the index, the weighing takes the span's consensus
// count and the picture of its representative frame (the best frame); elsewhere the indexed
// consensus nearest t, or the frame at t alone.
core::Result<weighing::Evidence> VideoEvidence(library::FrameCounter& counter, library::Indexer& indexer,
                                               const weighing::Source& source) {
  weighing::Evidence ev;
  double t = source.t;
  auto moments = indexer.MomentList(source.video_id);
  if (!moments.ok()) return moments.status();
  for (const auto& m : *moments) {
    if (t >= m.start - 0.5 && t <= m.end + 0.5) {
      ev.auto_count = m.count;
      ev.confidence = m.confidence;
      ev.span = std::make_pair(m.start, m.end);
      t = m.t;
      break;
    }
  }
  if (!ev.auto_count) {
    if (auto near = indexer.Nearest(source.video_id, t); near.ok() && *near) {
      ev.auto_count = (*near)->sample.count;
      ev.confidence = (*near)->sample.confidence;
    }
  }
  library::FrameCounter::Query query;
  query.keep_frame = true;
  auto frame = counter.CountAt(source.video_id, t, query);
  if (!frame.ok()) return frame.status();
  ev.frame = std::move(frame->frame);
  ev.media_t = frame->t_frame;
  ev.instances = std::move(frame->instances);
  ev.track_ids = std::move(frame->track_ids);
  ev.raw_count = frame->raw_count;
  if (!ev.auto_count) ev.auto_count = frame->raw_count;
  ev.model_hash = frame->model_hash;
  return ev;
}

// A camera: its latest counted frame, with the instances, tracks and consensus of that frame.
core::Result<weighing::Evidence> CameraEvidence(live::CameraManager& cameras, infer::Engine& engine,
                                                const weighing::Source& source) {
  auto camera = cameras.Find(source.camera_id);
  if (!camera.ok()) return camera.status();
  auto counted = (*camera)->latest_count();
  if (!counted || !counted->frame || !counted->frame->frame) {
    return core::Status::Unavailable("camera " + source.camera_id + " has no counted frame yet");
  }
  auto bgr = media::ToBgr(*counted->frame->frame);
  if (!bgr.ok()) return bgr.status();
  weighing::Evidence ev;
  ev.frame = std::move(bgr).value();
  ev.media_t = counted->frame->media_t;
  ev.instances = counted->instances;
  ev.track_ids = counted->track_ids;
  ev.auto_count = counted->state.count;
  ev.raw_count = counted->state.raw_count;
  ev.confidence = counted->state.confidence;
  if (auto model = engine.model()) ev.model_hash = model->hash;
  return ev;
}

}  // namespace

weighing::EvidenceProvider MakeEvidenceProvider(library::FrameCounter& counter, library::Indexer& indexer,
                                                live::CameraManager& cameras, infer::Engine& engine) {
  return [&counter, &indexer, &cameras, &engine](const weighing::Source& source) -> core::Result<weighing::Evidence> {
    switch (source.kind) {
      case weighing::Source::Kind::kVideo: return VideoEvidence(counter, indexer, source);
      case weighing::Source::Kind::kCamera: return CameraEvidence(cameras, engine, source);
      case weighing::Source::Kind::kManual: break;
    }
    return core::Status::Unavailable("a manual weighing has no picture");
  };
}

}  // namespace pw::app
