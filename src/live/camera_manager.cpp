#include "live/camera_manager.h"

#include <spdlog/spdlog.h>

#include "live/camera_file.h"
#include "live/schedule.h"

namespace pw::live {

using core::Status;

CameraManager::CameraManager(CameraManagerOptions options, infer::Engine* engine, Publisher publish)
    : options_(std::move(options)), engine_(engine), publish_(std::move(publish)) {}

CameraManager::~CameraManager() { StopAll(); }

std::shared_ptr<Camera> CameraManager::Make(const CameraSpec& spec) {
  return std::make_shared<Camera>(spec, options_.defaults, engine_, publish_);
}

Status CameraManager::Load() {
  std::lock_guard edit(edit_mu_);
  std::vector<CameraSpec> specs;
  if (!options_.cam_url.empty()) {
    CameraSpec cam1;
    cam1.id = "cam1";
    cam1.name = "Camera 1";
    cam1.url = options_.cam_url;
    cam1.transport = options_.cam_transport;
    cam1.from_config = true;
    PW_RETURN_IF_ERROR(ValidateUrl(cam1.url).WithContext("CAM_URL"));
    auto record = RecordSchedule::ParseList(options_.cam_record);
    if (!record.ok()) return record.status().WithContext("CAM_RECORD");
    cam1.record.schedule = record->windows();
    cam1.record.segment_seconds = options_.record_segment_seconds;
    PW_RETURN_IF_ERROR(ValidateRecord(cam1.record).WithContext("RECORD_SEGMENT_SECONDS"));
    specs.push_back(cam1);
  }
  auto stored = LoadCameraFile(options_.cameras_file);
  if (!stored.ok()) return stored.status();
  for (auto& s : *stored) {
    if (!options_.cam_url.empty() && s.id == "cam1") {
      spdlog::warn("cameras file: camera cam1 is defined by CAM_URL; the stored one is ignored");
      continue;
    }
    specs.push_back(std::move(s));
  }
  std::vector<std::shared_ptr<Camera>> to_start;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : specs) {
      if (cameras_.count(s.id)) continue;
      auto cam = Make(s);
      cameras_[s.id] = cam;
      order_.push_back(s.id);
      if (options_.auto_start && s.enabled) to_start.push_back(cam);
    }
  }
  for (auto& c : to_start) c->Start();
  spdlog::info("cameras: {} defined, {} started", specs.size(), to_start.size());
  return Status::Ok();
}

void CameraManager::StopAll() {
  std::vector<std::shared_ptr<Camera>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : cameras_) all.push_back(c);
  }
  for (auto& c : all) c->Shutdown();
}

nlohmann::json CameraManager::List() const {
  std::vector<std::shared_ptr<Camera>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& id : order_) all.push_back(cameras_.at(id));
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : all) list.push_back(c->ToJson());
  return {{"cameras", std::move(list)}};
}

core::Result<std::shared_ptr<Camera>> CameraManager::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = cameras_.find(id);
  if (it == cameras_.end()) return Status::NotFound("no camera \"" + id + "\" (GET /api/cameras lists them)");
  return it->second;
}

core::Result<std::shared_ptr<Camera>> CameraManager::FindOrFirst(const std::string& id) const {
  if (!id.empty()) return Find(id);
  std::lock_guard lock(mu_);
  if (order_.empty()) return Status::NotFound("no camera is configured: set CAM_URL or add one with POST /api/cameras");
  return cameras_.at(order_.front());
}

std::vector<CameraSpec> CameraManager::Specs() const {
  std::vector<CameraSpec> out;
  for (const auto& id : order_) out.push_back(cameras_.at(id)->spec());
  return out;
}

std::string CameraManager::NextId() const {
  for (int n = 1;; ++n) {
    std::string id = "cam" + std::to_string(n);
    if (!cameras_.count(id)) return id;
  }
}

core::Result<nlohmann::json> CameraManager::Add(const nlohmann::json& body) {
  std::lock_guard edit(edit_mu_);
  CameraSpec spec;
  spec.transport = options_.cam_transport;
  spec.record.segment_seconds = options_.record_segment_seconds;
  {
    std::lock_guard lock(mu_);
    spec.id = NextId();
  }
  PW_RETURN_IF_ERROR(ApplyJson(body, /*allow_id=*/true, &spec));
  std::shared_ptr<Camera> cam;
  {
    std::lock_guard lock(mu_);
    if (cameras_.count(spec.id)) return Status::Conflict("a camera with id \"" + spec.id + "\" exists").WithField("id");
    auto specs = Specs();
    specs.push_back(spec);
    PW_RETURN_IF_ERROR(SaveCameraFile(options_.cameras_file, specs));
    cam = Make(spec);
    cameras_[spec.id] = cam;
    order_.push_back(spec.id);
  }
  if (spec.enabled) cam->Start();
  spdlog::info("camera {} added ({})", spec.id, MaskedUrl(spec.url));
  return cam->ToJson();
}

core::Result<nlohmann::json> CameraManager::Update(const std::string& id, const nlohmann::json& body) {
  std::lock_guard edit(edit_mu_);
  PW_ASSIGN_OR_RETURN(auto old, Find(id));
  if (old->spec().from_config) {
    return Status::Conflict("camera " + id + " is defined by the CAM_URL setting; change the setting instead");
  }
  CameraSpec spec = old->spec();
  PW_RETURN_IF_ERROR(ApplyJson(body, /*allow_id=*/false, &spec));
  const bool was_running = old->running();
  std::shared_ptr<Camera> cam = Make(spec);
  {
    std::lock_guard lock(mu_);
    auto specs = Specs();
    for (auto& s : specs) {
      if (s.id == id) s = spec;
    }
    PW_RETURN_IF_ERROR(SaveCameraFile(options_.cameras_file, specs));
    cameras_[id] = cam;
  }
  old->Shutdown();
  if (was_running && spec.enabled) cam->Start();
  return cam->ToJson();
}

Status CameraManager::Remove(const std::string& id) {
  std::lock_guard edit(edit_mu_);
  PW_ASSIGN_OR_RETURN(auto cam, Find(id));
  if (cam->spec().from_config) {
    return Status::Conflict("camera " + id + " is defined by the CAM_URL setting; clear the setting to remove it");
  }
  {
    std::lock_guard lock(mu_);
    cameras_.erase(id);
    std::erase(order_, id);
    PW_RETURN_IF_ERROR(SaveCameraFile(options_.cameras_file, Specs()));
  }
  cam->Shutdown();
  cam->ForgetRecordingOverride();
  spdlog::info("camera {} removed", id);
  return Status::Ok();
}

core::Result<nlohmann::json> CameraManager::Start(const std::string& id) {
  PW_ASSIGN_OR_RETURN(auto cam, Find(id));
  cam->Start();
  return cam->ToJson();
}

core::Result<nlohmann::json> CameraManager::Stop(const std::string& id) {
  PW_ASSIGN_OR_RETURN(auto cam, Find(id));
  cam->Stop();
  return cam->ToJson();
}

void CameraManager::RenderMetrics(std::string& out) const {
  std::vector<std::shared_ptr<Camera>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& id : order_) all.push_back(cameras_.at(id));
  }
  if (all.empty()) return;
  struct Row {
    std::string id;
    IngestStats s;
    std::size_t viewers;
    RecorderStats rec;
    std::optional<TranscodeStats> tx;  // while the browser video is re-encoded
  };
  std::vector<Row> rows;
  for (const auto& c : all) {
    rows.push_back({c->spec().id, c->ingest_stats(), c->mjpeg().viewers(), c->recording_stats().value_or(RecorderStats{}),
                    c->transcode_stats()});
  }
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& r : rows) out += std::string(name) + "{camera=\"" + r.id + "\"} " + std::to_string(value(r)) + "\n";
  };
  family("pigweight_camera_up", "gauge", "1 while the camera streams", [](const Row& r) {
    return r.s.state == IngestState::kStreaming ? 1 : 0;
  });
  family("pigweight_camera_fps", "gauge", "decoded frames per second", [](const Row& r) { return r.s.fps; });
  family("pigweight_camera_bitrate_kbps", "gauge", "received kbit/s", [](const Row& r) { return r.s.bitrate_kbps; });
  family("pigweight_camera_last_frame_age_seconds", "gauge", "seconds since the last decoded frame (-1: none yet)",
         [](const Row& r) { return r.s.last_frame_age_ms < 0 ? -1.0 : static_cast<double>(r.s.last_frame_age_ms) / 1000; });
  family("pigweight_camera_reconnects_total", "counter", "reconnect attempts", [](const Row& r) { return r.s.reconnects; });
  family("pigweight_camera_stalls_total", "counter", "streams lost to the packet watchdog", [](const Row& r) { return r.s.stalls; });
  family("pigweight_camera_frames_total", "counter", "decoded frames", [](const Row& r) { return r.s.frames; });
  family("pigweight_camera_mjpeg_viewers", "gauge", "MJPEG viewers", [](const Row& r) { return r.viewers; });
  family("pigweight_camera_recording", "gauge", "1 while a recording segment is being written",
         [](const Row& r) { return r.rec.active ? 1 : 0; });
  family("pigweight_camera_recording_segments_total", "counter", "recording segments finished",
         [](const Row& r) { return r.rec.segments_written; });
  family("pigweight_camera_recording_bytes_total", "counter", "bytes of video and audio recorded",
         [](const Row& r) { return r.rec.bytes_written; });
  family("pigweight_camera_recording_dropped_packets_total", "counter",
         "packets not recorded (queue overflow or unusable timestamps)", [](const Row& r) { return r.rec.dropped_packets; });
  family("pigweight_camera_recording_errors_total", "counter", "recording errors (disk floor, write failures)",
         [](const Row& r) { return r.rec.errors; });
  family("pigweight_camera_transcoding", "gauge", "1 while the browser (WebRTC) video is re-encoded (B-frames, H.265)",
         [](const Row& r) { return r.tx ? 1 : 0; });
  family("pigweight_camera_transcode_fps", "gauge", "frames re-encoded per second for browsers",
         [](const Row& r) { return r.tx ? r.tx->fps : 0.0; });
  family("pigweight_camera_transcode_cpu_percent", "gauge", "CPU of the camera's transcoder (100 = one core)",
         [](const Row& r) { return r.tx ? r.tx->cpu_percent : 0.0; });
  family("pigweight_camera_transcode_dropped_packets_total", "counter",
         "packets the running transcoder skipped (behind the camera: up to the next keyframe)",
         [](const Row& r) { return r.tx ? r.tx->packets_dropped : 0; });
}

}  // namespace pw::live
