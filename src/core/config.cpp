#include "core/config.h"
#include "core/rate.h"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/log.h"

namespace pw::core {
namespace {

// A setting: its documentation plus how to parse text into the Config and print it back.
struct Setting {
  SettingInfo info;
  std::function<Status(Config&, const std::string&)> set;  // message = the problem only
  std::function<std::string(const Config&)> get;
  bool must_exist_when_set = false;  // a path that must exist when the user names one
};

std::string Trim(std::string s) {
  auto issp = [](unsigned char c) { return std::isspace(c); };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), issp));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), issp).base(), s.end());
  return s;
}

std::string FormatDouble(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

template <typename T>
Setting Integer(std::string key, std::string env, T Config::*field, long long lo, long long hi,
                std::string help) {
  auto set = [field, lo, hi](Config& c, const std::string& text) -> Status {
    long long v = 0;
    auto t = Trim(text);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v < lo || v > hi) {
      return Status::InvalidArgument("expected an integer from " + std::to_string(lo) + " to " +
                                     std::to_string(hi));
    }
    c.*field = static_cast<T>(v);
    return Status::Ok();
  };
  auto get = [field](const Config& c) { return std::to_string(c.*field); };
  return {{std::move(key), std::move(env), "", std::move(help)}, set, get};
}

Setting Real(std::string key, std::string env, double Config::*field, double lo, double hi,
             std::string help) {
  auto set = [field, lo, hi](Config& c, const std::string& text) -> Status {
    auto t = Trim(text);
    char* end = nullptr;
    double v = t.empty() ? NAN : std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || v < lo || v > hi) {
      return Status::InvalidArgument("expected a number from " + FormatDouble(lo) + " to " +
                                     FormatDouble(hi));
    }
    c.*field = v;
    return Status::Ok();
  };
  auto get = [field](const Config& c) { return FormatDouble(c.*field); };
  return {{std::move(key), std::move(env), "", std::move(help)}, set, get};
}

Setting Boolean(std::string key, std::string env, bool Config::*field, std::string help) {
  auto set = [field](Config& c, const std::string& text) -> Status {
    std::string t = Trim(text);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (t == "1" || t == "true" || t == "yes" || t == "on") {
      c.*field = true;
    } else if (t == "0" || t == "false" || t == "no" || t == "off") {
      c.*field = false;
    } else {
      return Status::InvalidArgument("expected a boolean (1/0, true/false, yes/no, on/off)");
    }
    return Status::Ok();
  };
  auto get = [field](const Config& c) { return std::string(c.*field ? "1" : "0"); };
  return {{std::move(key), std::move(env), "", std::move(help)}, set, get};
}

Setting Text(std::string key, std::string env, std::string Config::*field, std::string help,
             std::function<Status(const std::string&)> check = {}) {
  auto set = [field, check](Config& c, const std::string& text) -> Status {
    if (check) PW_RETURN_IF_ERROR(check(text));
    c.*field = text;
    return Status::Ok();
  };
  auto get = [field](const Config& c) { return c.*field; };
  return {{std::move(key), std::move(env), "", std::move(help)}, set, get};
}

Setting Path(std::string key, std::string env, std::filesystem::path Config::*field,
             std::string help, bool must_exist_when_set) {
  auto set = [field](Config& c, const std::string& text) -> Status {
    if (Trim(text).empty()) return Status::InvalidArgument("expected a path");
    c.*field = text;
    return Status::Ok();
  };
  auto get = [field](const Config& c) { return (c.*field).string(); };
  Setting s{{std::move(key), std::move(env), "", std::move(help)}, set, get};
  s.must_exist_when_set = must_exist_when_set;
  return s;
}

Setting IntList(std::string key, std::string env, std::vector<int> Config::*field, std::string help) {
  auto set = [field](Config& c, const std::string& text) -> Status {
    std::vector<int> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = Trim(item);
      if (item.empty()) continue;
      int v = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || p != item.data() + item.size() || v < 0) {
        return Status::InvalidArgument("expected comma-separated class ids such as 0,2");
      }
      out.push_back(v);
    }
    c.*field = std::move(out);
    return Status::Ok();
  };
  auto get = [field](const Config& c) {
    std::string out;
    for (int v : c.*field) out += (out.empty() ? "" : ",") + std::to_string(v);
    return out;
  };
  return {{std::move(key), std::move(env), "", std::move(help)}, set, get};
}

Status CheckHost(const std::string& v) {
  if (v.empty() || v.find_first_of(" /\t") != std::string::npos) {
    return Status::InvalidArgument("expected an IP address or host name");
  }
  return Status::Ok();
}

Status CheckLogLevel(const std::string& v) {
  if (!IsValidLogLevel(v)) return Status::InvalidArgument("expected trace, debug, info, warn, error or off");
  return Status::Ok();
}

Status CheckRate(const std::string& v) {
  auto r = ParseRate(v);
  return r.ok() ? Status::Ok() : r.status();
}

Status CheckCaptureMode(const std::string& v) {
  if (v != "off" && v != "confirm" && v != "save") {
    return Status::InvalidArgument("expected off, confirm (the operator confirms each proposal) or save");
  }
  return Status::Ok();
}

Status CheckCookieSecure(const std::string& v) {
  if (v != "auto" && v != "on" && v != "off") {
    return Status::InvalidArgument("expected auto (Secure behind an HTTPS proxy that sends X-Forwarded-Proto), on or off");
  }
  return Status::Ok();
}

// A text setting whose value is never printed (logs, /api/config, --help).
Setting Secret(std::string key, std::string env, std::string Config::*field, std::string help) {
  Setting s = Text(std::move(key), std::move(env), field, std::move(help));
  s.get = [field](const Config& c) { return (c.*field).empty() ? std::string() : std::string("***"); };
  return s;
}

const std::vector<Setting>& Table() {
  static const std::vector<Setting> table = [] {
    std::vector<Setting> t = {
        Text("host", "HOST", &Config::host, "Address to listen on (0.0.0.0: all interfaces)", CheckHost),
        Integer("port", "PORT", &Config::port, 0, 65535, "TCP port for HTTP, WebSocket and the web UI (0: any free port)"),
        Path("data_dir", "DATA_DIR", &Config::data_dir, "Directory for the database, uploads and caches (created if missing)", false),
        Path("web_dir", "WEB_DIR", &Config::web_dir, "Directory of the web UI's static files", true),
        Text("log_level", "LOG_LEVEL", &Config::log_level, "Log level: trace, debug, info, warn, error, off", CheckLogLevel),
        Integer("io_threads", "IO_THREADS", &Config::io_threads, 0, 64, "Network threads (0: one per core, at least 2)"),
        Integer("max_connections", "MAX_CONNECTIONS", &Config::max_connections, 1, 100000, "Open HTTP/WebSocket connections at most; more get 503"),
        Integer("max_header_bytes", "MAX_HEADER_BYTES", &Config::max_header_bytes, 1024, 1 << 20, "Largest request header block, bytes (431 beyond)"),
        Integer("max_body_bytes", "MAX_BODY_BYTES", &Config::max_body_bytes, 0, 1LL << 30, "Largest request body for API calls, bytes (413 beyond; uploads have their own limit)"),
        Real("header_timeout_s", "HEADER_TIMEOUT", &Config::header_timeout_s, 0.1, 3600, "Seconds a client may take to send a request's headers"),
        Real("body_timeout_s", "BODY_TIMEOUT", &Config::body_timeout_s, 0.1, 3600, "Seconds a client may take to send a request body"),
        Real("idle_timeout_s", "IDLE_TIMEOUT", &Config::idle_timeout_s, 0.1, 86400, "Seconds a keep-alive connection may stay idle"),
        Real("write_timeout_s", "WRITE_TIMEOUT", &Config::write_timeout_s, 0.1, 3600, "Seconds without write progress before a slow reader is dropped"),
        Real("shutdown_grace_s", "SHUTDOWN_GRACE", &Config::shutdown_grace_s, 0, 600, "Seconds in-flight requests get to finish on SIGINT/SIGTERM"),
        Integer("ws_queue_limit", "WS_QUEUE_LIMIT", &Config::ws_queue_limit, 1, 1 << 20, "Queued WebSocket messages per client before a slow client is dropped"),
        Real("ws_ping_s", "WS_PING", &Config::ws_ping_s, 1, 3600, "WebSocket keep-alive ping interval, seconds (dead peers are dropped after 2 missed)"),
        Boolean("debug_routes", "DEBUG_ROUTES", &Config::debug_routes, "Enable test-only /debug routes that generate load (never on a farm)"),
        Integer("work_threads", "WORK_THREADS", &Config::work_threads, 1, 64, "Threads for blocking work (probing, remuxing, decoding frames)"),
        Boolean("auth", "AUTH", &Config::auth, "Require sign-in (users, sessions, API tokens); off lets anyone do anything and is logged as a warning at every start"),
        Secret("admin_password", "ADMIN_PASSWORD", &Config::admin_password, "Password of the first admin, created while no user exists (unset: a random one is printed once in the log)"),
        Real("session_ttl_hours", "SESSION_TTL_HOURS", &Config::session_ttl_hours, 0.0001, 8760, "Hours a browser session stays valid without use (each use extends it)"),
        Text("cors_origins", "CORS_ORIGINS", &Config::cors_origins, "Other web origins allowed to call the API with credentials, comma separated, e.g. https://scada.farm:8443 (empty: same origin only)"),
        Text("trusted_proxies", "TRUSTED_PROXIES", &Config::trusted_proxies, "Reverse proxies whose X-Forwarded-For names the client for per-client limits (sign-in attempts, rates): addresses or networks, comma separated, e.g. 127.0.0.1,10.0.0.0/8 (empty: none; the header is ignored)"),
        Text("cookie_secure", "COOKIE_SECURE", &Config::cookie_secure, "Secure flag of the session cookie: auto (when the proxy sends X-Forwarded-Proto: https), on or off", CheckCookieSecure),
        Integer("max_upload_bytes", "MAX_UPLOAD_BYTES", &Config::max_upload_bytes, 1, 1LL << 50, "Largest video upload, bytes (413 beyond)"),
        Integer("min_free_disk_mb", "MIN_FREE_DISK_MB", &Config::min_free_disk_mb, 0, 1LL << 40, "Uploads are refused (507) and camera recordings stop rather than leave less free disk space than this, MiB (0: no floor)"),
        Integer("max_active_uploads", "MAX_ACTIVE_UPLOADS", &Config::max_active_uploads, 1, 1024, "Uploads receiving data at the same time; more get 503 with Retry-After"),
        Text("rate_limit_frames", "RATE_LIMIT_FRAMES", &Config::rate_limit_frames, "Per-client limit on decoded frames, count_at_time and snapshots (e.g. 60/s, 600/min; off: none); over it: 429 with Retry-After", CheckRate),
        Text("rate_limit_uploads", "RATE_LIMIT_UPLOADS", &Config::rate_limit_uploads, "Per-client limit on upload requests and file registrations (e.g. 120/min; off: none)", CheckRate),
        Text("rate_limit_whep", "RATE_LIMIT_WHEP", &Config::rate_limit_whep, "Per-client limit on new WebRTC sessions (e.g. 30/min; off: none)", CheckRate),
        Integer("segment_cache_mb", "SEGMENT_CACHE_MB", &Config::segment_cache_mb, 0, 1 << 20, "Memory for cached HLS segments, MiB"),
        Boolean("preload_model", "PRELOAD_MODEL", &Config::preload_model, "Load the model in the background right after start (else on first use)"),
        Path("model_path", "MODEL_PATH", &Config::model_path, "Ultralytics ONNX model (detect or segment export)", true),
        Real("conf_threshold", "CONF_THRESHOLD", &Config::conf_threshold, 0, 1, "Minimum detection confidence, 0..1"),
        Real("iou_threshold", "IOU_THRESHOLD", &Config::iou_threshold, 0, 1, "Overlap above which two detections are one animal (NMS), 0..1"),
        IntList("target_class_ids", "TARGET_CLASS_IDS", &Config::target_class_ids, "Model classes counted as animals, e.g. 0,2 (empty: all)"),
        Integer("batch", "BATCH", &Config::batch, 1, 64, "Frames taken together by one inference worker"),
        Integer("infer_workers", "INFER_WORKERS", &Config::infer_workers, 0, 64, "Inference workers, each with its own network (0: one per core)"),
        Integer("infer_threads", "INFER_THREADS", &Config::infer_threads, 0, 64, "OpenCV threads per forward (0: OpenCV's default)"),
        Real("avg_window_s", "AVG_WINDOW", &Config::avg_window_s, 0.1, 600, "Consensus count window, seconds"),
        Real("count_threshold", "COUNT_THRESHOLD", &Config::count_threshold, 0, 1, "Confidence from which a detection counts as an animal, 0..1 (lower ones are still tracked)"),
        Real("stable_seconds", "STABLE_SECONDS", &Config::stable_seconds, 0.1, 600, "Seconds the count must stay unchanged, with the animals settled, before it is marked stable"),
        Boolean("auto_index", "AUTO_INDEX", &Config::auto_index, "Count every registered video in the background (the timeline's count graph, instant counts while scrubbing)"),
        Real("index_fps", "INDEX_FPS", &Config::index_fps, 0, 120, "Frames per second of video the background index counts (0: every frame)"),
        Integer("index_jobs", "INDEX_JOBS", &Config::index_jobs, 1, 16, "Videos indexed at the same time"),
        Real("index_chunk_s", "INDEX_CHUNK_SECONDS", &Config::index_chunk_s, 0.5, 3600, "Seconds of video the index commits at a time (what a crash can cost; the playhead's region is indexed in such steps)"),
        Boolean("index_keep_old", "INDEX_KEEP_OLD", &Config::index_keep_old, "Keep a video's index made with another model or settings (else it is deleted when a new one starts)"),
        Text("station", "STATION", &Config::station, "Name of this weighing station in the journal (cameras use their own id)"),
        Real("weight_min_kg", "WEIGHT_MIN_KG", &Config::weight_min_kg, 0, 1e6, "Smallest total weight a weighing accepts, kg"),
        Real("weight_max_kg", "WEIGHT_MAX_KG", &Config::weight_max_kg, 0.001, 1e6, "Largest total weight a weighing accepts, kg (the scale's capacity)"),
        Text("scale_url", "SCALE_URL", &Config::scale_url, "Scale indicator: tcp://host:port or serial:///dev/ttyUSB0?baud=9600 (empty: no scale, weights are typed)"),
        Text("scale_format", "SCALE_FORMAT", &Config::scale_format, "Indicator line format: default (ST,GS,+0056.0kg and bare numbers) or regex:<pattern> with named groups value, unit, stable, net"),
        Text("scale_unit", "SCALE_UNIT", &Config::scale_unit, "Unit of indicator lines that carry none: kg, g, t or lb"),
        Text("scale_stability", "SCALE_STABILITY", &Config::scale_stability, "Stable weight from: indicator (its ST flag, else our detector), both, or own (our detector only)"),
        Real("scale_stable_seconds", "SCALE_STABLE_SECONDS", &Config::scale_stable_seconds, 0.1, 600, "Our stability detector: seconds the weight must stay within the tolerance"),
        Real("scale_stable_tolerance_kg", "SCALE_STABLE_TOLERANCE_KG", &Config::scale_stable_tolerance_kg, 0, 1000, "Our stability detector: allowed wobble, ± kg"),
        Real("scale_stall_seconds", "SCALE_STALL_SECONDS", &Config::scale_stall_seconds, 0.5, 600, "Seconds without a valid indicator line before the scale link is reopened"),
        Text("auto_capture", "AUTO_CAPTURE", &Config::auto_capture, "Automatic weighings when the scale and the camera's count are both stable: off, confirm (the screen asks) or save", CheckCaptureMode),
        Real("auto_capture_seconds", "AUTO_CAPTURE_SECONDS", &Config::auto_capture_seconds, 0.5, 600, "Seconds weight and count must both stay stable before an automatic weighing"),
        Text("auto_capture_camera", "AUTO_CAPTURE_CAMERA", &Config::auto_capture_camera, "Camera whose count goes with the scale for automatic weighings"),
        Boolean("auto_start_cam", "AUTO_START_CAM", &Config::auto_start_cam, "Start the configured cameras at boot"),
        Text("cam_url", "CAM_URL", &Config::cam_url, "RTSP URL of the single camera 'cam1' (shortcut for one station)"),
        Text("cam_record", "CAM_RECORD", &Config::cam_record, "When camera 'cam1' records into the video library: local-time windows like 09:00-10:00,17:00-17:30, or always (empty: only when started by hand)"),
        Integer("record_segment_seconds", "RECORD_SEGMENT_SECONDS", &Config::record_segment_seconds, 1, 6 * 3600, "Length of each recording file, seconds (cut at the next keyframe; cam1 and new API cameras)"),
        Integer("record_keep_days", "RECORD_KEEP_DAYS", &Config::record_keep_days, 0, 36500, "Days camera recordings are kept; older ones are deleted from the library and the disk (checked hourly), except those a weighing was taken from (0: keep forever)"),
        Real("fps", "FPS", &Config::fps, 0.1, 120, "Live inference rate per camera, frames per second"),
        Integer("frame_skip", "FRAME_SKIP", &Config::frame_skip, 0, 1000, "Decoded frames skipped between live inferences"),
        Integer("jpeg_quality", "JPEG_QUALITY", &Config::jpeg_quality, 1, 100, "JPEG quality for snapshots, frames and MJPEG, 1..100"),
        Text("rtsp_transport", "RTSP_TRANSPORT", &Config::rtsp_transport, "RTSP transport for cameras: tcp (default, robust) or udp"),
        Real("rtsp_timeout_s", "RTSP_TIMEOUT_S", &Config::rtsp_timeout_s, 0.5, 60, "Seconds without a video packet before a camera counts as stalled and is reopened"),
        Real("rtsp_open_timeout_s", "RTSP_OPEN_TIMEOUT_S", &Config::rtsp_open_timeout_s, 0.5, 60, "Seconds a camera may take to open its stream (connect, DESCRIBE, SETUP, PLAY)"),
        Real("rtsp_backoff_max_s", "RTSP_BACKOFF_MAX_S", &Config::rtsp_backoff_max_s, 0.25, 300, "Longest wait between reconnect attempts to a lost camera, seconds"),
        Integer("webrtc_max_sessions", "WEBRTC_MAX_SESSIONS", &Config::webrtc_max_sessions, 0, 1000, "WebRTC live viewers at most, all cameras together (more get 503 and fall back to MJPEG)"),
        Text("webrtc_ice_addresses", "WEBRTC_ICE_ADDRESSES", &Config::webrtc_ice_addresses, "Addresses WebRTC offers to browsers, comma separated (empty: 127.0.0.1 and this machine's IPv4 addresses)"),
        Real("mjpeg_fps", "MJPEG_FPS", &Config::mjpeg_fps, 0.5, 30, "MJPEG pictures per second per camera (one encode shared by all viewers)"),
    };
    const Config defaults;
    for (auto& s : t) s.info.default_text = s.get(defaults);
    return t;
  }();
  return table;
}

const Setting* FindByKey(const std::string& key) {
  for (const auto& s : Table()) {
    if (s.info.key == key) return &s;
  }
  return nullptr;
}

// Reads a config file into key -> text. Values of any scalar type are taken as text and go through
// the same parsers as environment variables.
Result<std::map<std::string, std::string>> ReadConfigFile(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::InvalidArgument("config file " + path.string() + ": cannot be read");
  std::stringstream ss;
  ss << f.rdbuf();
  std::map<std::string, std::string> out;
  const std::string where = "config file " + path.string();
  if (path.extension() == ".json") {
    nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::InvalidArgument(where + ": not a JSON object");
    }
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
      else if (v.is_boolean()) out[k] = v.get<bool>() ? "true" : "false";
      else if (v.is_number()) out[k] = v.dump();
      else return Status::InvalidArgument(where + ": " + k + ": expected a string, number or boolean");
    }
    return out;
  }
  toml::table table;
  try {
    table = toml::parse(ss.str(), path.string());
  } catch (const toml::parse_error& err) {
    return Status::InvalidArgument(where + ":" + std::to_string(err.source().begin.line) + ": " +
                                   std::string(err.description()));
  }
  for (const auto& [k, node] : table) {
    std::string key(k.str());
    if (node.is_string()) out[key] = *node.value<std::string>();
    else if (node.is_boolean()) out[key] = *node.value<bool>() ? "true" : "false";
    else if (node.is_integer()) out[key] = std::to_string(*node.value<int64_t>());
    else if (node.is_floating_point()) out[key] = FormatDouble(*node.value<double>());
    else return Status::InvalidArgument(where + ": " + key + ": expected a string, number or boolean");
  }
  return out;
}

}  // namespace

std::string SettingInfo::flag() const {
  std::string f = "--" + key;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

const std::vector<SettingInfo>& Settings() {
  static const std::vector<SettingInfo> infos = [] {
    std::vector<SettingInfo> v;
    for (const auto& s : Table()) v.push_back(s.info);
    return v;
  }();
  return infos;
}

Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs) {
  LoadedConfig loaded;
  for (const auto& s : Table()) loaded.sources[s.info.key] = Source::kDefault;

  // Applies one value; `name` is how the user wrote the setting, for the error message.
  auto apply = [&](const Setting& s, const std::string& value, Source source,
                   const std::string& name) -> Status {
    Status st = s.set(loaded.config, value);
    if (!st.ok()) return Status::InvalidArgument(name + ": " + st.message());
    loaded.sources[s.info.key] = source;
    return Status::Ok();
  };

  if (inputs.file) {
    auto values = ReadConfigFile(*inputs.file);
    if (!values.ok()) return values.status();
    for (const auto& [key, value] : *values) {
      const Setting* s = FindByKey(key);
      if (!s) {
        return Status::InvalidArgument("config file " + inputs.file->string() +
                                       ": unknown setting '" + key + "'");
      }
      PW_RETURN_IF_ERROR(apply(*s, value, Source::kFile,
                               key + "=" + value + " in " + inputs.file->string()));
    }
  }
  for (const auto& s : Table()) {
    auto it = inputs.env.find(s.info.env);
    if (it != inputs.env.end()) {
      PW_RETURN_IF_ERROR(apply(s, it->second, Source::kEnv, s.info.env + "=" + it->second));
    }
  }
  for (const auto& [key, value] : inputs.flags) {
    const Setting* s = FindByKey(key);
    if (!s) return Status::InvalidArgument("unknown setting '" + key + "'");
    PW_RETURN_IF_ERROR(apply(*s, value, Source::kFlag, s->info.flag() + " " + value));
  }

  // Paths the user named must exist; defaults may be missing (the component reports it instead).
  for (const auto& s : Table()) {
    if (!s.must_exist_when_set || loaded.sources[s.info.key] == Source::kDefault) continue;
    std::string value = s.get(loaded.config);
    std::error_code ec;
    if (!std::filesystem::exists(value, ec)) {
      const std::string name = loaded.sources[s.info.key] == Source::kFlag ? s.info.flag() + " "
                               : loaded.sources[s.info.key] == Source::kEnv ? s.info.env + "="
                                                                            : s.info.key + "=";
      return Status::InvalidArgument(name + value + ": no such file or directory");
    }
  }
  return loaded;
}

std::map<std::string, std::string> DescribeConfig(const Config& config) {
  std::map<std::string, std::string> out;
  for (const auto& s : Table()) out[s.info.key] = s.get(config);
  return out;
}

}  // namespace pw::core
