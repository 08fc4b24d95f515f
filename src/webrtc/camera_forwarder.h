// CameraForwarder: the one per-camera step shared by all WebRTC viewers of a camera. It subscribes
// to the camera's packets (live::PacketSubscriber), turns each H.264 packet into an Annex B access
// unit with SPS/PPS before keyframes (see h264_annexb.h) wrapped in a GstBuffer, and hands the same
// buffer (by reference, no copy) to every viewer's AccessUnitSink. Viewers packetise for RTP
// themselves (per-viewer payload type and sequence numbers) and start at a keyframe.
//
// It expects browser-ready video (live::Camera::AddBrowserVideoSubscriber transcodes B-frame H.264
// and H.265 first). Anything else — not H.264, or H.264 with B-frames (Chromium then decodes only
// keyframes) — makes the forwarder "unsupported" with a reason (answered 422).
// Thread-safety: PacketSubscriber calls come from the ingest thread and return in microseconds
// (one conversion + non-blocking pushes); the other methods from any thread.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "live/packet_subscriber.h"
#include "webrtc/h264_annexb.h"

namespace pw::webrtc {

// A viewer's input. PushAccessUnit must not block; `au` is borrowed (take a reference to keep it).
// `epoch` changes when the camera reconnects (timestamps restart): wait for the next keyframe.
class AccessUnitSink {
 public:
  virtual ~AccessUnitSink() = default;
  virtual void PushAccessUnit(GstBuffer* au, bool keyframe, std::uint64_t epoch) = 0;
};

class CameraForwarder final : public live::PacketSubscriber {
 public:
  explicit CameraForwarder(std::string camera_id);

  void OnOpen(const std::vector<live::StreamInfo>& streams) override;
  void OnPacket(const live::StreamInfo& stream, const AVPacket& packet) override;
  void OnClose(const std::string& reason) override;

  // OK once the source opened forwardable H.264 (packets follow from a keyframe); waits up to
  // `timeout` for OnOpen. kUnavailable when nothing arrived (camera down or connecting, or a
  // transcode still waiting for the camera's first keyframe), kUnprocessable when the stream cannot
  // be forwarded (reason included).
  core::Status WaitReady(std::chrono::milliseconds timeout);

  void AddSink(std::weak_ptr<AccessUnitSink> sink);
  void RemoveSink(const AccessUnitSink* sink);
  std::size_t sink_count() const;
  const std::string& camera_id() const { return camera_id_; }
  std::uint64_t forwarded() const;  // access units handed to at least one viewer

 private:
  void Unsupported(std::string reason);  // under mu_

  const std::string camera_id_;
  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  bool open_ = false;
  int video_index_ = -1;
  AVRational time_base_{1, 90000};
  std::string unsupported_;  // why the stream cannot be forwarded ("" when it can)
  std::uint64_t epoch_ = 0;
  std::uint64_t forwarded_ = 0;
  H264AnnexB annexb_;
  std::vector<std::weak_ptr<AccessUnitSink>> sinks_;
};

}  // namespace pw::webrtc
