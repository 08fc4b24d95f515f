// WhepServer: the WebRTC (WHEP) live view of the cameras. It owns the sessions (one WhepSession
// per viewer), one CameraForwarder per watched camera (subscribed to the camera's packets while it
// has viewers, shared by them), and the module's GLib main loop thread, which polls every session's
// liveness twice a second and frees the dead ones.
//
// Create() answers a WHEP offer (blocking up to about negotiate_timeout + ready_timeout: call it
// off the network threads). Errors: kNotFound unknown camera (from the PacketSource), kUnavailable
// camera not streaming yet / server stopped, kBusy session cap reached, kUnprocessable a stream
// the source delivers in a form browsers cannot play (not H.264, B-frames: the source is to
// transcode those, see live/browser_video.h), kInvalidArgument a bad offer, kTimedOut/kInternal
// webrtcbin failures. Delete() ends a session (kNotFound when it is gone or belongs to another
// camera). SendMetadata() sends text on the data channel of every viewer of a camera.
// Thread-safety: all methods from any thread. Start/Stop idempotent; the destructor stops. The
// PacketSource must outlive the server.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "live/packet_subscriber.h"
#include "webrtc/camera_forwarder.h"
#include "webrtc/whep_session.h"

namespace pw::webrtc {

// How the server reaches a camera's packets (live::CameraManager in `serve`, a file in tests).
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Adds `subscriber` to camera `camera_id`'s browser video: H.264 without B-frames (a camera's
  // stream as-is, or its transcode). kNotFound for an unknown camera, kUnprocessable when the
  // camera's video cannot be made browser-ready.
  virtual core::Status Subscribe(const std::string& camera_id, std::shared_ptr<live::PacketSubscriber> subscriber) = 0;
  virtual void Unsubscribe(const std::string& camera_id, const live::PacketSubscriber* subscriber) = 0;
};

struct WhepOptions {
  // Local addresses ICE may use (WEBRTC_ICE_ADDRESSES). Empty: 127.0.0.1 plus the host's
  // IPv4 addresses of interfaces that are up.
  std::vector<std::string> ice_addresses;
  int max_sessions = 16;                             // WEBRTC_MAX_SESSIONS, all cameras together
  // Wait for a camera's stream to open: a transcoded camera opens after its first keyframe (GOP).
  std::chrono::milliseconds ready_timeout{5000};
  std::chrono::milliseconds negotiate_timeout{5000};
  std::chrono::milliseconds heartbeat_timeout{5000}; // WEBRTC_HEARTBEAT_MS
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds rtcp_timeout{8000};      // a viewer silent this long is gone
  std::chrono::milliseconds poll_interval{500};
};

struct WhepAnswer {
  std::string session_id;
  std::string sdp;
};

class WhepServer {
 public:
  WhepServer(WhepOptions options, PacketSource& source);
  ~WhepServer();
  WhepServer(const WhepServer&) = delete;
  WhepServer& operator=(const WhepServer&) = delete;

  // Initialises GStreamer, checks the elements, starts the main loop thread and warms webrtcbin
  // up (the first session would otherwise pay for plugin loading). kUnavailable with the package
  // to install when an element is missing.
  core::Status Start();
  // Ends every session, unsubscribes from the cameras and joins the loop thread.
  void Stop();

  core::Result<WhepAnswer> Create(const std::string& camera_id, const std::string& offer_sdp);
  core::Status Delete(const std::string& camera_id, const std::string& session_id);
  void SendMetadata(const std::string& camera_id, const std::string& json);

  std::size_t session_count() const;
  std::vector<std::string> session_ids(const std::string& camera_id) const;
  // {"sessions":[{"id","camera","connected","frames_sent","data_channel"}],"max_sessions"}
  nlohmann::json ToJson() const;
  const std::vector<std::string>& ice_addresses() const { return options_.ice_addresses; }

  // How long a closed session's ICE agent waits before it is released (callbacks still queued on
  // the agent's own thread run first; see ice_release.h): its sockets close within this plus one poll.
  static constexpr std::chrono::seconds kIceReleaseDelay{3};

 private:
  struct CameraEntry {
    std::shared_ptr<CameraForwarder> forwarder;
    int users = 0;  // sessions and negotiations in progress
  };
  core::Result<std::shared_ptr<CameraForwarder>> Acquire(const std::string& camera_id);
  void Release(const std::string& camera_id);
  void EndSession(const std::string& session_id, const std::string& reason);
  void Poll();
  void RunLoop();
  // Closed sessions' ICE agents wait kIceReleaseDelay, then are released (see ice_release.h).
  void Park(std::unique_ptr<ParkedIce> ice);
  void ReleaseParked(std::chrono::steady_clock::time_point now);

  WhepOptions options_;
  PacketSource& source_;

  mutable std::mutex mu_;
  bool running_ = false;
  int reserved_ = 0;  // sessions plus negotiations in progress (the cap counts both)
  std::map<std::string, std::shared_ptr<WhepSession>> sessions_;
  std::map<std::string, CameraEntry> cameras_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::unique_ptr<ParkedIce>>> parked_;

  std::mutex lifecycle_mu_;  // serialises Start/Stop
  struct Loop;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
};

// 127.0.0.1 plus the IPv4 addresses of the host's interfaces that are up (no loopback duplicates).
std::vector<std::string> DefaultIceAddresses();

}  // namespace pw::webrtc
