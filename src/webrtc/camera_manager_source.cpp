#include "webrtc/camera_manager_source.h"

namespace pw::webrtc {

core::Status CameraManagerSource::Subscribe(const std::string& camera_id,
                                            std::shared_ptr<live::PacketSubscriber> subscriber) {
  auto camera = cameras_.Find(camera_id);
  if (!camera.ok()) return camera.status();
  return (*camera)->AddBrowserVideoSubscriber(std::move(subscriber));
}

void CameraManagerSource::Unsubscribe(const std::string& camera_id, const live::PacketSubscriber* subscriber) {
  // A camera removed meanwhile took its subscribers with it.
  if (auto camera = cameras_.Find(camera_id); camera.ok()) (*camera)->RemoveBrowserVideoSubscriber(subscriber);
}

}  // namespace pw::webrtc
