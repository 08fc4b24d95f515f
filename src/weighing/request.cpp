#include "weighing/request.h"

#include <cmath>

#include <fmt/format.h>

namespace pw::weighing {
namespace {

constexpr size_t kMaxNote = 2000;
constexpr size_t kMaxStation = 64;

core::Status Bad(const std::string& field, std::string message) {
  return core::Status::Unprocessable(field + ": " + message).WithField(field);
}

core::Result<std::optional<int>> OptionalInt(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<int>();
  if (it->is_number_integer() || it->is_number_unsigned()) {
    auto v = it->get<int64_t>();
    if (v < -1'000'000 || v > 1'000'000) return Bad(field, "out of range");
    return std::optional<int>(static_cast<int>(v));
  }
  if (it->is_number_float()) {
    double v = it->get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e6) return std::optional<int>(static_cast<int>(v));
  }
  return Bad(field, "must be a whole number");
}

core::Result<std::optional<double>> OptionalNumber(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<double>();
  if (it->is_number()) {
    double v = it->get<double>();
    if (std::isfinite(v)) return std::optional<double>(v);
  }
  if (it->is_string()) {
    // Operators on RU locales type "1234,5": accept a decimal comma in strings.
    std::string s = it->get<std::string>();
    for (char& c : s) c = c == ',' ? '.' : c;
    try {
      size_t used = 0;
      double v = std::stod(s, &used);
      if (used == s.size() && std::isfinite(v)) return std::optional<double>(v);
    } catch (...) {
    }
  }
  return Bad(field, "must be a number (kg)");
}

core::Result<std::optional<std::string>> OptionalText(const nlohmann::json& body, const std::string& field,
                                                      size_t max_len) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Bad(field, "must be text");
  auto s = it->get<std::string>();
  if (s.size() > max_len) return Bad(field, fmt::format("is longer than {} bytes", max_len));
  return std::optional<std::string>(std::move(s));
}

core::Result<Source> ParseSource(const nlohmann::json& body) {
  Source source;
  auto it = body.find("source");
  if (it == body.end() || it->is_null()) return source;
  if (!it->is_object()) return Bad("source", R"(must be an object like {"kind":"video","video_id":"…","t":12.5})");
  std::string kind = it->value("kind", std::string("manual"));
  if (kind == "manual") return source;
  if (kind == "camera") {
    source.kind = Source::Kind::kCamera;
    auto id = it->find("camera_id");
    if (id == it->end() || !id->is_string() || id->get<std::string>().empty() || id->get<std::string>().size() > kMaxStation) {
      return Bad("source.camera_id", "must name the camera");
    }
    source.camera_id = id->get<std::string>();
    return source;
  }
  if (kind == "video") {
    source.kind = Source::Kind::kVideo;
    auto id = it->find("video_id");
    if (id == it->end() || !id->is_string() || id->get<std::string>().empty() || id->get<std::string>().size() > 128) {
      return Bad("source.video_id", "must name the video");
    }
    source.video_id = id->get<std::string>();
    auto t = it->find("t");
    if (t == it->end() || !t->is_number() || !std::isfinite(t->get<double>()) || t->get<double>() < 0) {
      return Bad("source.t", "must be the media time in seconds (>= 0)");
    }
    source.t = t->get<double>();
    return source;
  }
  return Bad("source.kind", "must be manual, camera or video");
}


}  // namespace

std::string_view KindName(Source::Kind kind) {
  switch (kind) {
    case Source::Kind::kCamera: return "camera";
    case Source::Kind::kVideo: return "video";
    case Source::Kind::kManual: break;
  }
  return "manual";
}

nlohmann::json ToJson(const Source& s) {
  nlohmann::json j = {{"kind", KindName(s.kind)}};
  if (s.kind == Source::Kind::kCamera) j["camera_id"] = s.camera_id;
  if (s.kind == Source::Kind::kVideo) {
    j["video_id"] = s.video_id;
    j["t"] = s.t;
  }
  return j;
}

core::Status CheckCount(int count, const WeighingLimits& limits) {
  if (count < 1) return Bad("count", "must be at least 1");
  if (count > limits.max_count) return Bad("count", fmt::format("must be at most {}", limits.max_count));
  return core::Status::Ok();
}

core::Status CheckTotal(double total_kg, const WeighingLimits& limits) {
  if (!(total_kg > 0)) return Bad("total_kg", "must be greater than 0");
  if (total_kg < limits.min_total_kg || total_kg > limits.max_total_kg) {
    return Bad("total_kg", fmt::format("must be between {} and {} kg", limits.min_total_kg, limits.max_total_kg));
  }
  return core::Status::Ok();
}

core::Result<NewWeighing> ParseNewWeighing(const nlohmann::json& body, const WeighingLimits& limits) {
  if (!body.is_object()) return core::Status::InvalidArgument("the body must be a JSON object");
  NewWeighing w;
  PW_ASSIGN_OR_RETURN(w.count, OptionalInt(body, "count"));
  std::optional<double> total;
  PW_ASSIGN_OR_RETURN(total, OptionalNumber(body, "total_kg"));
  if (!total) return Bad("total_kg", "is required: the scale's total weight in kg");
  w.total_kg = *total;
  PW_RETURN_IF_ERROR(CheckTotal(w.total_kg, limits));
  if (w.count) PW_RETURN_IF_ERROR(CheckCount(*w.count, limits));
  PW_ASSIGN_OR_RETURN(w.source, ParseSource(body));
  std::optional<std::string> station, note;
  PW_ASSIGN_OR_RETURN(station, OptionalText(body, "station", kMaxStation));
  PW_ASSIGN_OR_RETURN(note, OptionalText(body, "note", kMaxNote));
  w.station = station.value_or("");
  w.note = note.value_or("");
  PW_ASSIGN_OR_RETURN(w.auto_count, OptionalInt(body, "auto_count"));
  PW_ASSIGN_OR_RETURN(w.raw_count, OptionalInt(body, "raw_count"));
  PW_ASSIGN_OR_RETURN(w.confidence, OptionalNumber(body, "confidence"));
  if (w.auto_count && *w.auto_count < 0) return Bad("auto_count", "must be >= 0");
  if (w.raw_count && *w.raw_count < 0) return Bad("raw_count", "must be >= 0");
  if (w.confidence && (*w.confidence < 0 || *w.confidence > 1)) return Bad("confidence", "must be between 0 and 1");
  return w;
}

core::Result<Amendment> ParseAmendment(const nlohmann::json& body, const WeighingLimits& limits) {
  if (!body.is_object()) return core::Status::InvalidArgument("the body must be a JSON object");
  static const char* kAllowed[] = {"count", "total_kg", "note", "station", "revision"};
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* k : kAllowed) known = known || key == k;
    if (!known) return Bad(key, "cannot be changed (count, total_kg, note and station can)");
  }
  Amendment a;
  PW_ASSIGN_OR_RETURN(a.count, OptionalInt(body, "count"));
  PW_ASSIGN_OR_RETURN(a.total_kg, OptionalNumber(body, "total_kg"));
  PW_ASSIGN_OR_RETURN(a.note, OptionalText(body, "note", kMaxNote));
  PW_ASSIGN_OR_RETURN(a.station, OptionalText(body, "station", kMaxStation));
  std::optional<int> revision;
  PW_ASSIGN_OR_RETURN(revision, OptionalInt(body, "revision"));
  a.expected_revision = revision.value_or(0);
  if (a.count) PW_RETURN_IF_ERROR(CheckCount(*a.count, limits));
  if (a.total_kg) PW_RETURN_IF_ERROR(CheckTotal(*a.total_kg, limits));
  if (a.station && a.station->empty()) return Bad("station", "must not be empty");
  if (!a.count && !a.total_kg && !a.note && !a.station) {
    return core::Status::InvalidArgument("nothing to change: send count, total_kg, note or station");
  }
  return a;
}

}  // namespace pw::weighing
