// Evaluation of a counting model on generated weighing-pen scenes with exact truth (seeds never
// used for training): count exact-match rate, count error by density band, mask AP50 and mean
// mask IoU, and the time per frame. Blocking; runs its own inference engine.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "scenegen/scene.h"

namespace pw::evaluate {

struct EvalOptions {
  std::filesystem::path model;
  std::filesystem::path cache_dir;     // imported models (DATA_DIR/models)
  std::uint64_t seed = 900000;         // held-out seeds start here (training uses others)
  int scenes = 100;
  scenegen::SceneOptions scene;        // size and animal count range
  double min_visible = 0.5;            // the count rule: animals at least this visible
  float conf_threshold = 0.25f;
  float iou_threshold = 0.7f;
};

struct Band {
  int scenes = 0;
  int exact = 0;
  double abs_error = 0;  // sum of |predicted - true|
};

struct EvalReport {
  int scenes = 0;
  int exact = 0;
  std::map<std::string, Band> bands;  // "0-20", "21-50", "51-80"
  double mask_ap50 = 0;
  double mean_iou = 0;                // of predictions matched at IoU >= 0.5
  double ms_per_frame = 0;            // pre + forward + post, mean
  nlohmann::json ToJson() const;
};

core::Result<EvalReport> EvaluateOnScenes(const EvalOptions& options);

}  // namespace pw::evaluate
