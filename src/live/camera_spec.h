// CameraSpec: what defines a camera (id, name, RTSP URL, transport, enabled) and its JSON forms.
//
// The URL may carry credentials (rtsp://user:pass@host/path); MaskedUrl() is the only form that
// leaves the process (API, logs, metrics): rtsp://user:***@host/path.
// Parsing validates every field and names the wrong one (Status::WithField). Plain values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace pw::live {

enum class Transport { kTcp, kUdp };
std::string_view TransportName(Transport t);

struct CameraSpec {
  std::string id;       // [a-z0-9_-]{1,32}, stable (WS topic "camera:<id>", URLs)
  std::string name;     // shown to operators
  std::string url;      // rtsp:// or rtsps:// (with credentials when the camera needs them)
  Transport transport = Transport::kTcp;
  bool enabled = true;  // started at boot (AUTO_START_CAM) and when added through the API
  bool from_config = false;  // defined by CAM_URL: read-only through the API
};

// rtsp://user:***@host/path (password hidden; a URL without credentials is returned as is).
std::string MaskedUrl(const std::string& url);

core::Status ValidateId(const std::string& id);
core::Status ValidateUrl(const std::string& url);

// Public JSON (masked URL): {"id","name","url","transport","enabled","source":"config"|"api"}.
nlohmann::json PublicJson(const CameraSpec& spec);
// Full JSON for the cameras file (URL with credentials).
nlohmann::json StoredJson(const CameraSpec& spec);

// Applies the fields present in `j` (name, url, transport, enabled; id only when `allow_id`) to
// `spec` and validates the result. kInvalidArgument with the field on a bad value.
core::Status ApplyJson(const nlohmann::json& j, bool allow_id, CameraSpec* spec);

}  // namespace pw::live
