// Config: the one typed configuration object, and how it is filled.
//
// Sources, later ones winning: built-in defaults, an optional config file (TOML or JSON, flat
// `key = value` using the setting keys below), environment variables, command-line flags. Every
// setting is declared once in config.cpp with its key (file key, and flag --key-with-dashes), its
// environment name, default and description; `pigweight serve --help` and the README list them.
//
// Errors: LoadConfig returns one InvalidArgument status whose message names the setting as the
// user wrote it (PORT=abc, --port abc, port in pigweight.toml) and the problem.
// Modules receive the part of Config they need; nothing else reads the environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::core {

struct Config {
  // --- server
  std::string host = "0.0.0.0";
  int port = 8000;
  std::filesystem::path data_dir = "data";
  std::filesystem::path web_dir = std::filesystem::path(PW_SOURCE_DIR) / "web";
  std::string log_level = "info";
  int io_threads = 0;  // 0: one per core, at least 2
  int max_connections = 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  double header_timeout_s = 10;
  double body_timeout_s = 30;
  double idle_timeout_s = 60;
  double write_timeout_s = 30;
  double shutdown_grace_s = 10;
  std::size_t ws_queue_limit = 256;
  double ws_ping_s = 15;
  bool debug_routes = false;
  int work_threads = 4;
  // --- authentication
  bool auth = true;                   // off: everyone is admin (logged as a warning at every start)
  std::string admin_password;         // the first admin's password (used only while no user exists)
  double session_ttl_hours = 12;      // a session ends after this long unused (sliding)
  std::string cors_origins;           // comma list of other origins allowed to call the API
  std::string trusted_proxies;        // reverse proxies whose X-Forwarded-For is believed (IPs, CIDRs)
  std::string cookie_secure = "auto"; // auto (X-Forwarded-Proto: https) | on | off
  // --- video library
  std::uint64_t max_upload_bytes = 64ULL << 30;
  std::size_t segment_cache_mb = 256;
  std::uint64_t min_free_disk_mb = 1024;
  int max_active_uploads = 4;           // uploads receiving at the same time; more get 503
  std::string rate_limit_frames = "60/s";   // per client: frame, count-at-time and snapshot requests
  std::string rate_limit_uploads = "120/min";  // per client: upload creations/appends and file registrations
  std::string rate_limit_whep = "30/min";   // per client: WebRTC session offers
  // --- model and counting
  bool preload_model = true;
  std::filesystem::path model_path = std::filesystem::path(PW_SOURCE_DIR) / "models" / "pigweight-demo.onnx";
  double conf_threshold = 0.25;
  double iou_threshold = 0.7;
  std::vector<int> target_class_ids;  // empty: every class of the model
  int batch = 4;
  int infer_workers = 0;              // 0: one per core
  int infer_threads = 1;              // OpenCV threads per forward
  double avg_window_s = 5;
  double count_threshold = 0.5;       // an instance counts as an animal from this confidence
  double stable_seconds = 2;          // consensus unchanged and animals settled this long: stable
  // --- background index of videos
  bool auto_index = true;
  double index_fps = 5;               // 0: every frame
  int index_jobs = 2;
  double index_chunk_s = 30;
  bool index_keep_old = true;
  // --- weighing and journal
  std::string station = "station1";
  double weight_min_kg = 0.1;
  double weight_max_kg = 30000;
  // --- scale indicator
  std::string scale_url;              // tcp://host:port or serial:///dev/ttyUSB0?baud=9600; empty: none
  std::string scale_format = "default";
  std::string scale_unit = "kg";
  std::string scale_stability = "indicator";
  double scale_stable_seconds = 2;
  double scale_stable_tolerance_kg = 0.5;
  double scale_stall_seconds = 3;
  std::string auto_capture = "off";   // off | confirm | save
  double auto_capture_seconds = 3;
  std::string auto_capture_camera = "cam1";
  // --- live camera
  bool auto_start_cam = false;
  std::string cam_url;
  std::string cam_record;               // cam1's recording windows: "09:00-10:00,17:00-17:30", "always", "" (off)
  int record_segment_seconds = 300;     // recording file length (cut at the next keyframe)
  int record_keep_days = 30;            // recordings older than this are deleted (0: kept forever)
  double fps = 5;
  int frame_skip = 0;
  int jpeg_quality = 80;
  std::string rtsp_transport = "tcp";   // tcp | udp (cam1 and the default for API cameras)
  double rtsp_timeout_s = 2;            // no video packet for this long: the camera is stalled
  double rtsp_open_timeout_s = 3;       // connect + DESCRIBE/SETUP/PLAY deadline
  double rtsp_backoff_max_s = 2;        // reconnect delay cap (starts at 0.25 s, doubles, jitter)
  double mjpeg_fps = 5;                 // MJPEG pictures per second per camera (one shared encode)
  int webrtc_max_sessions = 16;
  std::string webrtc_ice_addresses;     // comma list; empty: 127.0.0.1 and the host's IPv4 addresses
};

// Where a setting's value came from.
enum class Source { kDefault, kFile, kEnv, kFlag };

struct SettingInfo {
  std::string key;           // "model_path": the config file key; flag is --model-path
  std::string env;           // "MODEL_PATH"
  std::string default_text;  // the default, as text
  std::string help;          // one line
  std::string flag() const;  // "--model-path"
};

// All settings, in the order they are documented.
const std::vector<SettingInfo>& Settings();

struct ConfigInputs {
  std::optional<std::filesystem::path> file;           // --config / PIGWEIGHT_CONFIG
  std::map<std::string, std::string> env;              // the process environment (only known names are read)
  std::map<std::string, std::string> flags;            // setting key -> value given on the command line
};

struct LoadedConfig {
  Config config;
  std::map<std::string, Source> sources;  // setting key -> where it came from
};

Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs);

// The current value of every setting as text (for logs and /api/config).
std::map<std::string, std::string> DescribeConfig(const Config& config);

}  // namespace pw::core
