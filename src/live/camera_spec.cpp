#include "live/camera_spec.h"

#include <algorithm>

namespace pw::live {

using core::Status;

std::string_view TransportName(Transport t) { return t == Transport::kUdp ? "udp" : "tcp"; }

std::string MaskedUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto authority_start = scheme + 3;
  auto authority_end = url.find('/', authority_start);
  auto at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at == std::string::npos || at < authority_start) return url;
  auto colon = url.find(':', authority_start);
  std::string user = url.substr(authority_start, (colon != std::string::npos && colon < at ? colon : at) - authority_start);
  return url.substr(0, authority_start) + user + ":***" + url.substr(at);
}

Status ValidateId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (ok) return Status::Ok();
  return Status::InvalidArgument("camera id \"" + id + "\" must be 1-32 characters of a-z, 0-9, _ or -")
      .WithField("id");
}

Status ValidateUrl(const std::string& url) {
  bool ok = (url.rfind("rtsp://", 0) == 0 || url.rfind("rtsps://", 0) == 0) && url.size() > 8 &&
            url.find_first_of(" \t\r\n") == std::string::npos;
  if (ok) return Status::Ok();
  return Status::InvalidArgument("camera url must be an RTSP address like rtsp://user:pass@192.168.1.64:554/stream1")
      .WithField("url");
}

nlohmann::json PublicJson(const CameraSpec& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"url", MaskedUrl(s.url)},
          {"transport", TransportName(s.transport)},
          {"enabled", s.enabled},
          {"source", s.from_config ? "config" : "api"}};
}

nlohmann::json StoredJson(const CameraSpec& s) {
  return {{"id", s.id}, {"name", s.name}, {"url", s.url}, {"transport", TransportName(s.transport)},
          {"enabled", s.enabled}};
}

namespace {

Status WrongType(const char* field, const char* expected) {
  return Status::InvalidArgument(std::string(field) + " must be " + expected).WithField(field);
}

}  // namespace

Status ApplyJson(const nlohmann::json& j, bool allow_id, CameraSpec* spec) {
  if (!j.is_object()) return Status::InvalidArgument("the body must be a JSON object describing the camera");
  CameraSpec s = *spec;
  for (const auto& [key, value] : j.items()) {
    if (key == "id") {
      if (!allow_id) {
        if (value != s.id) return Status::InvalidArgument("a camera's id cannot be changed").WithField("id");
        continue;
      }
      if (!value.is_string()) return WrongType("id", "a string");
      s.id = value.get<std::string>();
    } else if (key == "name") {
      if (!value.is_string()) return WrongType("name", "a string");
      s.name = value.get<std::string>();
    } else if (key == "url") {
      if (!value.is_string()) return WrongType("url", "a string");
      std::string url = value.get<std::string>();
      // A client echoing the masked URL back keeps the stored password.
      if (url != MaskedUrl(s.url) || s.url.empty()) s.url = url;
    } else if (key == "transport") {
      if (value == "tcp") {
        s.transport = Transport::kTcp;
      } else if (value == "udp") {
        s.transport = Transport::kUdp;
      } else {
        return WrongType("transport", "\"tcp\" or \"udp\"");
      }
    } else if (key == "enabled") {
      if (!value.is_boolean()) return WrongType("enabled", "true or false");
      s.enabled = value.get<bool>();
    } else if (key != "source") {
      return Status::InvalidArgument("unknown camera field \"" + key + "\"").WithField(key);
    }
  }
  PW_RETURN_IF_ERROR(ValidateId(s.id));
  PW_RETURN_IF_ERROR(ValidateUrl(s.url));
  if (s.name.size() > 200) return Status::InvalidArgument("name is longer than 200 characters").WithField("name");
  if (s.name.empty()) s.name = s.id;
  *spec = std::move(s);
  return Status::Ok();
}

}  // namespace pw::live
