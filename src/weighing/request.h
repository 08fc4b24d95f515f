// The operator's input for a weighing, parsed and validated from the API's JSON. Every rejection
// names the field (core::Status::field()) so the form can mark it, and says what would be valid.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace pw::weighing {

struct WeighingLimits {
  double min_total_kg = 0.1;      // WEIGHT_MIN_KG
  double max_total_kg = 30000;    // WEIGHT_MAX_KG
  int max_count = 500;
};

// Where the weighing was taken: a camera, a position in a recorded video, or typed by hand.
struct Source {
  enum class Kind { kManual, kCamera, kVideo };
  Kind kind = Kind::kManual;
  std::string camera_id;
  std::string video_id;
  double t = 0;  // media time in the video, seconds
};

nlohmann::json ToJson(const Source& source);
std::string_view KindName(Source::Kind kind);

struct NewWeighing {
  std::optional<int> count;         // the operator's count; absent: take the automatic one
  double total_kg = 0;
  Source source;
  std::string station;              // empty: derived from the source
  std::string note;
  std::optional<int> auto_count;    // the count the operator was shown
  std::optional<int> raw_count;
  std::optional<double> confidence;
};

struct Amendment {
  std::optional<int> count;
  std::optional<double> total_kg;
  std::optional<std::string> note;
  std::optional<std::string> station;
  int expected_revision = 0;        // 0: any (last writer wins, but history keeps every value)
};

core::Result<NewWeighing> ParseNewWeighing(const nlohmann::json& body, const WeighingLimits& limits);
core::Result<Amendment> ParseAmendment(const nlohmann::json& body, const WeighingLimits& limits);

// Shared checks, also used after defaults are filled in.
core::Status CheckCount(int count, const WeighingLimits& limits);
core::Status CheckTotal(double total_kg, const WeighingLimits& limits);

}  // namespace pw::weighing
