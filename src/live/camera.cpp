#include "live/camera.h"

#include "infer/overlay.h"
#include "media/image.h"

namespace pw::live {

Camera::Camera(CameraSpec spec, const CameraDefaults& defaults, infer::Engine* engine, Publisher publish)
    : spec_(std::move(spec)),
      jpeg_quality_(defaults.jpeg_quality),
      publish_(std::move(publish)),
      slot_(std::make_shared<LatestFrame>()) {
  IngestOptions ingest = defaults.ingest;
  ingest.camera_id = spec_.id;
  ingest.url = spec_.url;
  ingest.transport = spec_.transport;
  ingest_ = std::make_unique<RtspIngest>(ingest, slot_, [this](const IngestStats& s) {
    if (!publish_) return;
    publish_("camera:" + spec_.id,
             {{"type", "camera_state"}, {"camera", spec_.id}, {"ingest", live::ToJson(s)}});
  });
  counter_ = std::make_unique<LiveCounter>(spec_.id, slot_, engine, defaults.count, publish_);
  MjpegOptions mjpeg = defaults.mjpeg;
  mjpeg.quality = defaults.jpeg_quality;
  mjpeg_ = MjpegFeed::Create(slot_, mjpeg);
  if (!defaults.record.dir.empty()) {
    recorder_ = std::make_shared<Recorder>(spec_.id, spec_.record, defaults.record);
    ingest_->AddSubscriber(recorder_);
  }
}

Camera::~Camera() { Shutdown(); }

void Camera::Start() {
  std::lock_guard lock(lifecycle_mu_);
  if (recorder_) recorder_->Start();
  ingest_->Start();
  counter_->Start();
  running_ = true;
}

void Camera::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  counter_->Stop();
  ingest_->Stop();
  if (recorder_) recorder_->Stop();  // after the ingest: the segment in progress is finished
  running_ = false;
}

void Camera::Shutdown() {
  Stop();
  mjpeg_->Shutdown();
}

bool Camera::running() const { return running_.load(); }

core::Result<Snapshot> Camera::TakeSnapshot(bool overlay) const {
  Snapshot snap;
  snap.frame = slot_->Get();
  if (!snap.frame) {
    IngestStats s = ingest_->Stats();
    std::string why = "camera " + spec_.id + " has no picture yet (state " + std::string(IngestStateName(s.state)) +
                      (s.last_error.empty() ? "" : ", last error: " + s.last_error) + ")";
    if (s.state == IngestState::kStopped) why += "; start it with POST /api/cameras/" + spec_.id + "/start";
    return core::Status::Unavailable(why);
  }
  auto count = counter_->Latest();
  if (!overlay || !count) {
    auto jpeg = snap.frame->Jpeg(jpeg_quality_);
    if (!jpeg.ok()) return jpeg.status();
    snap.jpeg = *jpeg;
    return snap;
  }
  // The overlay belongs to the frame that was counted: draw on that one, not on a newer frame.
  snap.frame = count->frame;
  auto bgr = media::ToBgr(*snap.frame->frame);
  if (!bgr.ok()) return bgr.status();
  infer::OverlayOptions options;
  options.header.push_back("Count " + std::to_string(count->state.count) +
                           (count->state.stable ? "  stable" : ""));
  infer::DrawOverlay(*bgr, count->instances, count->track_ids, options);
  auto jpeg = media::EncodeJpeg(*bgr, jpeg_quality_);
  if (!jpeg.ok()) return jpeg.status();
  snap.jpeg = std::make_shared<const std::string>(std::move(*jpeg));
  snap.overlay = true;
  return snap;
}

nlohmann::json Camera::ToJson() const {
  nlohmann::json j = PublicJson(spec_);
  j["running"] = running();
  j["ingest"] = live::ToJson(ingest_->Stats());
  auto count = counter_->Latest();
  if (count) {
    j["count"] = counting::ToJson(count->state);
  } else {
    j["count"] = nullptr;
  }
  LiveCountStats cs = counter_->Stats();
  j["counting"] = {{"submitted", cs.submitted}, {"completed", cs.completed}, {"failed", cs.failed},
                   {"busy", cs.busy}, {"unavailable", cs.unavailable}, {"latency_ms", cs.last_latency_ms}};
  j["mjpeg_viewers"] = mjpeg_->viewers();
  j["recording"] = recorder_ ? recorder_->ToJson() : nlohmann::json(nullptr);
  j["browser_video"] = BrowserVideoJson();
  return j;
}

core::Result<nlohmann::json> Camera::SetRecording(const std::string& action) {
  if (!recorder_) return core::Status::Unavailable("recording is not available on this server");
  PW_RETURN_IF_ERROR(recorder_->SetOverride(action));
  return ToJson();
}

void Camera::ForgetRecordingOverride() {
  if (recorder_) recorder_->ForgetOverride();
}

std::optional<RecorderStats> Camera::recording_stats() const {
  if (!recorder_) return std::nullopt;
  return recorder_->Stats();
}

core::Status Camera::AddBrowserVideoSubscriber(std::shared_ptr<PacketSubscriber> subscriber) {
  std::lock_guard lock(browser_mu_);
  if (browser_ && browser_->path() == VideoPath::kUnsupported) {
    return core::Status::Unprocessable("camera " + spec_.id + ": " + browser_->unsupported_reason());
  }
  if (!browser_) {
    browser_ = std::make_shared<BrowserVideo>(spec_.id);
    ingest_->AddSubscriber(browser_);
  }
  browser_->AddSubscriber(std::move(subscriber));
  return core::Status::Ok();
}

void Camera::RemoveBrowserVideoSubscriber(const PacketSubscriber* subscriber) {
  std::shared_ptr<BrowserVideo> unused;
  {
    std::lock_guard lock(browser_mu_);
    if (!browser_ || !browser_->RemoveSubscriber(subscriber) || browser_->subscriber_count() > 0) return;
    ingest_->RemoveSubscriber(browser_.get());
    unused = std::move(browser_);
  }
  unused->Stop();  // the last viewer left: the transcoder (if any) stops now
}

std::optional<TranscodeStats> Camera::transcode_stats() const {
  std::lock_guard lock(browser_mu_);
  auto transcoder = browser_ ? browser_->transcoder() : nullptr;
  if (!transcoder) return std::nullopt;
  return transcoder->Stats();
}

nlohmann::json Camera::BrowserVideoJson() const {
  std::lock_guard lock(browser_mu_);
  if (!browser_) return {{"video_path", "idle"}, {"subscribers", 0}, {"reason", ""}, {"transcode", nullptr}};
  return browser_->ToJson();
}

}  // namespace pw::live
