// The `pigweight count IMAGE|VIDEO` and `pigweight model import FILE` commands, as functions the
// app's CLI calls after parsing flags. They print for a person (or JSON with `json`) and return the
// process exit code: 0 success, 1 failure (the reason is printed to `err`).
//
// count runs the same path as the server (Engine: import → letterbox → forward → post-process) on
// one image, or on one frame every `video_every_s` seconds of a video (OpenCV's FFmpeg reader).
// The input size follows the first frame's aspect (Ultralytics' rect inference: 16:9 → 640x384).
#pragma once

#include <filesystem>
#include <ostream>

#include "infer/postprocess.h"

namespace pw::infer {

struct CountCommandOptions {
  std::filesystem::path input;      // image (jpg/png/...) or video file
  std::filesystem::path model;      // best.onnx
  std::filesystem::path cache_dir;  // imported models (DATA_DIR/models)
  bool json = false;
  bool rectangular = true;          // false: square export size
  int imgsz = 0;                    // long side of the input; 0: the model's export size
  double video_every_s = 1.0;       // sampling period for videos
  int max_video_samples = 0;        // 0: the whole video
  PostprocessOptions postprocess;   // CONF_THRESHOLD, TARGET_CLASS_IDS, IoU
};

int RunCountCommand(const CountCommandOptions& options, std::ostream& out, std::ostream& err);

struct ModelImportCommandOptions {
  std::filesystem::path model;
  std::filesystem::path cache_dir;
  bool json = false;
  int width = 0, height = 0;        // 0: export size
};

int RunModelImportCommand(const ModelImportCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pw::infer
