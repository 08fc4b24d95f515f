#include "live/camera_spec.h"

#include <algorithm>

#include "live/schedule.h"

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

Status ValidateRecord(const RecordSpec& r) {
  auto schedule = RecordSchedule::Parse(r.schedule);
  if (!schedule.ok()) return Status::Unprocessable(schedule.status().message()).WithField("record.schedule");
  if (r.segment_seconds < kMinSegmentSeconds || r.segment_seconds > kMaxSegmentSeconds) {
    return Status::Unprocessable("record.segment_seconds must be between " + std::to_string(kMinSegmentSeconds) +
                                   " and " + std::to_string(kMaxSegmentSeconds) + " (300 = 5-minute files)")
        .WithField("record.segment_seconds");
  }
  return Status::Ok();
}

namespace {

nlohmann::json RecordJson(const RecordSpec& r) {
  return {{"schedule", r.schedule}, {"segment_seconds", r.segment_seconds}};
}

}  // namespace

nlohmann::json PublicJson(const CameraSpec& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"url", MaskedUrl(s.url)},
          {"transport", TransportName(s.transport)},
          {"enabled", s.enabled},
          {"source", s.from_config ? "config" : "api"},
          {"record", RecordJson(s.record)}};
}

nlohmann::json StoredJson(const CameraSpec& s) {
  return {{"id", s.id}, {"name", s.name}, {"url", s.url}, {"transport", TransportName(s.transport)},
          {"enabled", s.enabled}, {"record", RecordJson(s.record)}};
}

namespace {

Status WrongType(const char* field, const char* expected) {
  return Status::InvalidArgument(std::string(field) + " must be " + expected).WithField(field);
}

// {"schedule": ["09:00-10:00", ...] | "09:00-10:00,..." | "always" | null, "segment_seconds": N}
Status ApplyRecord(const nlohmann::json& j, RecordSpec* r) {
  if (!j.is_object()) return WrongType("record", "an object like {\"schedule\":[\"09:00-10:00\"],\"segment_seconds\":300}");
  for (const auto& [key, value] : j.items()) {
    if (key == "schedule") {
      r->schedule.clear();
      if (value.is_string()) {
        auto parsed = RecordSchedule::ParseList(value.get<std::string>());
        if (!parsed.ok()) return Status::Unprocessable(parsed.status().message()).WithField("record.schedule");
        r->schedule = parsed->windows();
      } else if (value.is_array()) {
        for (const auto& w : value) {
          if (!w.is_string()) return WrongType("record.schedule", "a list of windows like \"09:00-10:00\"");
          r->schedule.push_back(w.get<std::string>());
        }
      } else if (!value.is_null()) {
        return WrongType("record.schedule", "a list of windows like [\"09:00-10:00\"], \"always\" or []");
      }
    } else if (key == "segment_seconds") {
      if (!value.is_number_integer()) return WrongType("record.segment_seconds", "a whole number of seconds");
      r->segment_seconds = static_cast<int>(std::clamp<int64_t>(value.get<int64_t>(), -1, kMaxSegmentSeconds + 1));
    } else {
      return Status::InvalidArgument("unknown recording field \"" + key + "\"").WithField("record." + key);
    }
  }
  return ValidateRecord(*r);
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
    } else if (key == "record") {
      PW_RETURN_IF_ERROR(ApplyRecord(value, &s.record));
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
