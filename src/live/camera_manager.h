// CameraManager: the cameras of a server — from the configuration (CAM_URL → "cam1", read-only)
// and from the API (kept in DATA_DIR/cameras.json) — and their lifecycle.
//
// Load() reads the file and, with auto_start, starts every enabled camera; a camera that is down
// is retried in the background (nothing here blocks on a camera). Add/Update/Remove persist the
// API cameras before answering. Update of the URL or transport restarts a running camera.
// Errors: kNotFound (unknown id), kConflict (id taken, or a config camera changed through the API),
// kInvalidArgument (bad field, with the field named), kInternal (the file cannot be written).
// Thread-safety: all methods from any thread. Methods that stop a camera (Update, Remove, Stop,
// StopAll) take up to about a second: call them off the network threads. The Engine and the
// Publisher's target must outlive the manager.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "live/camera.h"

namespace pw::live {

struct CameraManagerOptions {
  std::filesystem::path cameras_file;  // DATA_DIR/cameras.json
  std::string cam_url;                 // CAM_URL: camera "cam1" (empty: none)
  Transport cam_transport = Transport::kTcp;  // RTSP_TRANSPORT for cam1 and the API default
  bool auto_start = false;             // AUTO_START_CAM
  std::string cam_record;              // CAM_RECORD: cam1's schedule ("09:00-10:00,...", "always", "")
  int record_segment_seconds = 300;    // RECORD_SEGMENT_SECONDS: cam1's and new API cameras' default
  CameraDefaults defaults;
};

class CameraManager {
 public:
  CameraManager(CameraManagerOptions options, infer::Engine* engine, Publisher publish);
  ~CameraManager();  // stops every camera
  CameraManager(const CameraManager&) = delete;
  CameraManager& operator=(const CameraManager&) = delete;

  core::Status Load();
  void StopAll();

  nlohmann::json List() const;  // {"cameras":[Camera::ToJson()...]}
  core::Result<std::shared_ptr<Camera>> Find(const std::string& id) const;
  // The camera named by `id`, or the first one when `id` is empty.
  core::Result<std::shared_ptr<Camera>> FindOrFirst(const std::string& id) const;

  core::Result<nlohmann::json> Add(const nlohmann::json& body);
  core::Result<nlohmann::json> Update(const std::string& id, const nlohmann::json& body);
  core::Status Remove(const std::string& id);
  core::Result<nlohmann::json> Start(const std::string& id);
  core::Result<nlohmann::json> Stop(const std::string& id);

  // Prometheus lines (pigweight_camera_* gauges and counters per camera).
  void RenderMetrics(std::string& out) const;

 private:
  std::shared_ptr<Camera> Make(const CameraSpec& spec);
  std::vector<CameraSpec> Specs() const;  // under mu_
  std::string NextId() const;             // under mu_

  const CameraManagerOptions options_;
  infer::Engine* const engine_;
  const Publisher publish_;
  std::mutex edit_mu_;      // serialises Add/Update/Remove (file writes, restarts)
  mutable std::mutex mu_;   // cameras_
  std::map<std::string, std::shared_ptr<Camera>> cameras_;
  std::vector<std::string> order_;  // insertion order (the "first" camera)
};

}  // namespace pw::live
