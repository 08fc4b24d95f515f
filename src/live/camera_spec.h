// CameraSpec: what defines a camera (id, name, RTSP URL, transport, enabled, recording schedule)
// and its JSON forms.
//
// The URL may carry credentials (rtsp://user:pass@host/path); MaskedUrl() is the only form that
// leaves the process (API, logs, metrics): rtsp://user:***@host/path.
// Parsing validates every field and names the wrong one (Status::WithField). Plain values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace pw::live {

enum class Transport { kTcp, kUdp };
std::string_view TransportName(Transport t);

// When the camera records into the video library (see recorder.h). Empty schedule: only by hand.
struct RecordSpec {
  std::vector<std::string> schedule;  // "09:00-10:00" (local time), "22:00-02:00", "always"
  int segment_seconds = 300;          // a new file at the first keyframe after this much video
  bool operator==(const RecordSpec&) const = default;
};
constexpr int kMinSegmentSeconds = 1, kMaxSegmentSeconds = 6 * 3600;

// Validates a RecordSpec: kUnprocessable naming "record.schedule" or "record.segment_seconds".
core::Status ValidateRecord(const RecordSpec& record);

struct CameraSpec {
  std::string id;       // [a-z0-9_-]{1,32}, stable (WS topic "camera:<id>", URLs)
  std::string name;     // shown to operators
  std::string url;      // rtsp:// or rtsps:// (with credentials when the camera needs them)
  Transport transport = Transport::kTcp;
  bool enabled = true;  // started at boot (AUTO_START_CAM) and when added through the API
  bool from_config = false;  // defined by CAM_URL: read-only through the API
  RecordSpec record;
};

// rtsp://user:***@host/path (password hidden; a URL without credentials is returned as is).
std::string MaskedUrl(const std::string& url);

core::Status ValidateId(const std::string& id);
core::Status ValidateUrl(const std::string& url);

// Public JSON (masked URL): {"id","name","url","transport","enabled","source":"config"|"api",
// "record":{"schedule":[...],"segment_seconds":N}}.
nlohmann::json PublicJson(const CameraSpec& spec);
// Full JSON for the cameras file (URL with credentials).
nlohmann::json StoredJson(const CameraSpec& spec);

// Applies the fields present in `j` (name, url, transport, enabled, record — its fields replace
// those given; id only when `allow_id`) to
// `spec` and validates the result. kInvalidArgument with the field on a bad value (kUnprocessable
// for a recording window or segment length that cannot be used).
core::Status ApplyJson(const nlohmann::json& j, bool allow_id, CameraSpec* spec);

}  // namespace pw::live
