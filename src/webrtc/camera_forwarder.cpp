#include "webrtc/camera_forwarder.h"

#include <spdlog/spdlog.h>

#include "webrtc/gst_ptr.h"

namespace pw::webrtc {

CameraForwarder::CameraForwarder(std::string camera_id) : camera_id_(std::move(camera_id)) {}

void CameraForwarder::Unsupported(std::string reason) {
  if (unsupported_.empty()) spdlog::warn("webrtc: camera {}: {}", camera_id_, reason);
  unsupported_ = std::move(reason);
}

void CameraForwarder::OnOpen(const std::vector<live::StreamInfo>& streams) {
  std::lock_guard lock(mu_);
  open_ = true;
  ++epoch_;
  video_index_ = -1;
  unsupported_.clear();
  for (const auto& s : streams) {
    if (s.type != AVMEDIA_TYPE_VIDEO || !s.codecpar) continue;
    video_index_ = s.index;
    time_base_ = s.time_base;
    if (auto st = annexb_.Init(*s.codecpar); !st.ok()) {
      Unsupported(st.message() + " and this server cannot re-encode it (see the server log); set the camera "
                                 "to H.264 or use live HLS/MJPEG");
    } else if (s.codecpar->video_delay > 0) {
      Unsupported("the camera's H.264 uses B-frames, which browsers decode badly over WebRTC; "
                  "turn B-frames off in the camera (baseline/main profile without B-frames) or use live HLS");
    }
    break;
  }
  if (video_index_ < 0) Unsupported("the camera stream has no video");
  ready_cv_.notify_all();
}

void CameraForwarder::OnPacket(const live::StreamInfo& stream, const AVPacket& packet) {
  std::vector<std::shared_ptr<AccessUnitSink>> sinks;
  std::uint64_t epoch = 0;
  std::string au;
  int64_t pts = AV_NOPTS_VALUE;
  {
    std::lock_guard lock(mu_);
    if (stream.index != video_index_ || !unsupported_.empty()) return;
    if (packet.pts != AV_NOPTS_VALUE && packet.dts != AV_NOPTS_VALUE && packet.pts != packet.dts) {
      Unsupported("the camera's H.264 uses B-frames (reordered frames seen), which browsers decode badly over "
                  "WebRTC; turn B-frames off in the camera or use live HLS");
      ready_cv_.notify_all();
      return;
    }
    for (auto it = sinks_.begin(); it != sinks_.end();) {
      if (auto s = it->lock()) {
        sinks.push_back(std::move(s));
        ++it;
      } else {
        it = sinks_.erase(it);
      }
    }
    if (sinks.empty()) return;
    au = annexb_.Convert(packet);
    epoch = epoch_;
    pts = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
    if (pts != AV_NOPTS_VALUE) pts = av_rescale_q(pts, time_base_, AVRational{1, GST_SECOND});
    if (!au.empty()) ++forwarded_;
  }
  if (au.empty()) return;
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  auto* owned = new std::string(std::move(au));
  BufferPtr buf(gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, owned->data(), owned->size(), 0,
                                            owned->size(), owned,
                                            [](gpointer p) { delete static_cast<std::string*>(p); }));
  // Viewers re-base timestamps at their first keyframe; a negative one (edit lists) is unusable.
  GST_BUFFER_PTS(buf.get()) = pts != AV_NOPTS_VALUE && pts >= 0 ? static_cast<GstClockTime>(pts) : GST_CLOCK_TIME_NONE;
  if (!key) GST_BUFFER_FLAG_SET(buf.get(), GST_BUFFER_FLAG_DELTA_UNIT);
  for (const auto& s : sinks) s->PushAccessUnit(buf.get(), key, epoch);
}

void CameraForwarder::OnClose(const std::string& reason) {
  std::lock_guard lock(mu_);
  open_ = false;
  spdlog::debug("webrtc: camera {} closed: {}", camera_id_, reason);
}

core::Status CameraForwarder::WaitReady(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  // Open is enough: the source checked the stream (live::BrowserVideo); packets follow from a keyframe.
  ready_cv_.wait_for(lock, timeout, [&] { return open_ || !unsupported_.empty(); });
  if (!unsupported_.empty()) return core::Status::Unprocessable("camera " + camera_id_ + ": " + unsupported_);
  if (!open_) {
    return core::Status::Unavailable("camera " + camera_id_ +
                                     " is not streaming yet; check its state with GET /api/cameras/" + camera_id_ +
                                     " and try again");
  }
  return core::Status::Ok();
}

void CameraForwarder::AddSink(std::weak_ptr<AccessUnitSink> sink) {
  std::lock_guard lock(mu_);
  sinks_.push_back(std::move(sink));
}

void CameraForwarder::RemoveSink(const AccessUnitSink* sink) {
  std::lock_guard lock(mu_);
  std::erase_if(sinks_, [&](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == sink;
  });
}

std::size_t CameraForwarder::sink_count() const {
  std::lock_guard lock(mu_);
  return sinks_.size();
}

std::uint64_t CameraForwarder::forwarded() const {
  std::lock_guard lock(mu_);
  return forwarded_;
}

}  // namespace pw::webrtc
