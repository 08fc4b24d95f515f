// Camera: one configured camera and its running parts — ingest (RTSP → latest frame + packet
// subscribers), live counting and the shared MJPEG feed — started and stopped together.
//
// Snapshots: Snapshot() is the newest frame as JPEG (cached per frame); with overlay the latest
// count's masks and numbers are drawn on that frame (encoded per request).
// Thread-safety: all methods from any thread; Start/Stop are idempotent. The Engine (may be null)
// and the Publisher's target must outlive the camera.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "live/browser_video.h"
#include "live/camera_spec.h"
#include "live/latest_frame.h"
#include "live/live_counter.h"
#include "live/mjpeg_feed.h"
#include "live/recorder.h"
#include "live/rtsp_ingest.h"

namespace pw::live {

// Settings shared by every camera (from the server configuration).
struct CameraDefaults {
  IngestOptions ingest;      // url/transport/camera_id are taken from each CameraSpec
  LiveCountOptions count;
  MjpegOptions mjpeg;
  int jpeg_quality = 80;
  RecorderOptions record;    // recording on the camera's schedule (dir empty: off)
};

struct Snapshot {
  std::shared_ptr<const std::string> jpeg;
  std::shared_ptr<const LiveFrame> frame;
  bool overlay = false;  // true when a count result was drawn
};

class Camera {
 public:
  Camera(CameraSpec spec, const CameraDefaults& defaults, infer::Engine* engine, Publisher publish);
  ~Camera();
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  const CameraSpec& spec() const { return spec_; }
  void Start();
  void Stop();
  // Stop for good (removal): also ends MJPEG viewers.
  void Shutdown();
  bool running() const;

  IngestStats ingest_stats() const { return ingest_->Stats(); }
  std::shared_ptr<const LiveFrame> latest_frame() const { return slot_->Get(); }
  std::shared_ptr<const LiveCount> latest_count() const { return counter_->Latest(); }
  // kUnavailable (with the camera's state and last error) until a first frame arrived.
  core::Result<Snapshot> TakeSnapshot(bool overlay) const;
  std::unique_ptr<MjpegFeed::Viewer> WatchMjpeg() { return mjpeg_->Join(); }
  const MjpegFeed& mjpeg() const { return *mjpeg_; }
  RtspIngest& ingest() { return *ingest_; }

  // Browser video for WebRTC (H.264 without B-frames, see browser_video.h): the camera's packets
  // as they are when its H.264 has no B-frames, otherwise from ONE transcoder shared by every
  // subscriber — created with the first subscriber, stopped when the last one leaves.
  // kUnprocessable (with the reason) when this camera's video cannot be made browser-ready.
  core::Status AddBrowserVideoSubscriber(std::shared_ptr<PacketSubscriber> subscriber);
  void RemoveBrowserVideoSubscriber(const PacketSubscriber* subscriber);
  // {"video_path":"idle"|"probing"|"forward"|"transcode"|"unsupported","subscribers","reason","transcode"};
  // also ToJson()["browser_video"].
  nlohmann::json BrowserVideoJson() const;
  // The browser video's transcoder's figures; nullopt when it is not re-encoded (or not watched).
  std::optional<TranscodeStats> transcode_stats() const;

  // Manual recording override ("start"|"stop", see recorder.h): the camera's JSON, or
  // kInvalidArgument (action), kUnavailable (recording is off on this server).
  core::Result<nlohmann::json> SetRecording(const std::string& action);
  // The camera is removed for good: its saved recording override goes too.
  void ForgetRecordingOverride();
  // Null when recording is off on this server.
  std::optional<RecorderStats> recording_stats() const;

  // PublicJson(spec) + {"running","ingest":{...},"count":{...}|null,"counting":{...},"mjpeg_viewers",
  // "recording":{...}|null}.
  nlohmann::json ToJson() const;

 private:
  const CameraSpec spec_;
  const int jpeg_quality_;
  const Publisher publish_;
  const std::shared_ptr<LatestFrame> slot_;
  std::unique_ptr<RtspIngest> ingest_;
  std::unique_ptr<LiveCounter> counter_;
  std::shared_ptr<MjpegFeed> mjpeg_;
  std::shared_ptr<Recorder> recorder_;  // subscribed to the ingest; null when recording is off
  std::mutex lifecycle_mu_;         // serialises Start/Stop (Stop may take about a second)
  std::atomic<bool> running_{false};  // read by ToJson without waiting for a Stop in progress
  mutable std::mutex browser_mu_;       // browser_
  std::shared_ptr<BrowserVideo> browser_;  // subscribed to the ingest while it has subscribers
};

}  // namespace pw::live
