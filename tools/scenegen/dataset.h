// Dataset: writing generated scenes to disk — stills with a truth JSON beside each image (and
// optionally Ultralytics YOLO-seg labels), and H.264 videos with a per-frame truth JSON.
//
// Layout of a stills run in `out_dir`:
//   plain:  scene_000000.jpg + scene_000000.json, ...
//   yolo:   images/scene_000000.jpg + images/scene_000000.json, labels/scene_000000.txt, data.yaml
// Image i of a run with seed S uses seed DeriveSeed(S, i), recorded in its JSON, so any image can
// be regenerated alone. A video run writes `video.mp4` and `video.json` (an array of frames, each
// with t, count, instances and in_pen: the ids of all animals in the pen, seen or hidden).
//
// Errors: a Status naming the file or setting at fault. Thread-safety: none needed (no state).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "scenegen/scene.h"
#include "scenegen/truth.h"

namespace pw::scenegen {

struct StillsJob {
  std::string out_dir;
  uint64_t seed = 1;
  int images = 1;
  int first_index = 0;
  SceneOptions scene;
  double min_visible = 0.5;
  bool yolo = false;
  YoloLabelOptions yolo_labels;
  std::string image_format = "jpg";  // jpg or png
  int jpeg_quality = 95;
  int threads = 1;  // images rendered in parallel (output is identical for any value)
};

struct VideoJob {
  std::string out_dir;
  std::string name = "video";  // video.mp4 + video.json
  uint64_t seed = 1;
  SceneOptions scene;
  double seconds = 10;
  int fps = 25;
  int gop = 50;
  double min_visible = 0.5;
  bool polygons = true;  // false: per-frame truth without polygons (about 5x smaller JSON)
};

// Renders one still and its truth JSON (seed, scale and camera included) without writing.
struct StillResult {
  RenderedScene rendered;
  FrameTruth truth;
  nlohmann::json json;
};
StillResult GenerateStill(uint64_t seed, const SceneOptions& options, double min_visible);

core::Status WriteStills(const StillsJob& job);
core::Status WriteVideo(const VideoJob& job);

}  // namespace pw::scenegen
