// CameraManagerSource: the PacketSource of `pigweight serve` — WHEP viewers subscribe to the
// browser video of the cameras of a live::CameraManager (live::Camera::AddBrowserVideoSubscriber:
// the camera's H.264 as-is when it has no B-frames, otherwise one shared transcode per camera).
// Thread-safety: as CameraManager (any thread). The manager must outlive this object and the
// WhepServer using it.
#pragma once

#include "live/camera_manager.h"
#include "webrtc/whep_server.h"

namespace pw::webrtc {

class CameraManagerSource final : public PacketSource {
 public:
  explicit CameraManagerSource(live::CameraManager& cameras) : cameras_(cameras) {}
  core::Status Subscribe(const std::string& camera_id, std::shared_ptr<live::PacketSubscriber> subscriber) override;
  void Unsubscribe(const std::string& camera_id, const live::PacketSubscriber* subscriber) override;

 private:
  live::CameraManager& cameras_;
};

}  // namespace pw::webrtc
