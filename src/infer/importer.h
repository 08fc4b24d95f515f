// Model importer: turns an Ultralytics YOLO detect/segment ONNX export (best.onnx) into a graph
// that Debian's OpenCV 4.6 DNN runs, caches it, and proves it runs.
//
// Steps: hash the file (SHA-256) → parse it and its Ultralytics metadata → refuse what cannot
// work, with a message saying what to do (dynamic shapes that need Shape ops → "re-export with
// dynamic=False"; NMS-free end2end/TopK heads → "export with end2end=False"; other tasks or
// unknown output layouts) → rewrite (see graph_rewrites.h; a dynamic input without Shape ops is
// pinned to the metadata imgsz; a non-export input size retargets the head) → save under
// cache_dir as <hash16>_<W>x<H>.onnx (atomic; reused next time) → readNetFromONNX + one forward
// on a zero image, checking [1,4+nc,A] (detect) or [1,4+nc+32,A] + [1,32,H/4,W/4] (segment).
//
// Errors: kNotFound (no file), kUnprocessable (unusable model, message says why and what to do),
// kUnavailable (cache not writable). Never throws. Thread-safety: reentrant; two imports of the
// same file into one cache at once are safe (atomic rename) but do the work twice.
#pragma once

#include <filesystem>

#include <opencv2/core/types.hpp>

#include "core/status.h"
#include "infer/model_info.h"

namespace pw::infer {

struct ImportOptions {
  std::filesystem::path cache_dir;  // e.g. DATA_DIR/models; created if missing
  // Input size of the imported graph; {0,0} keeps the export size. Must be multiples of the
  // model's largest stride (see RectangularInputSize).
  cv::Size input_size{0, 0};
  bool test_forward = true;  // load with OpenCV and run one forward (recommended)
};

core::Result<ModelInfo> ImportModel(const std::filesystem::path& source, const ImportOptions& options);

// The input size Ultralytics uses for a frame at `imgsz`: the long side becomes imgsz, the short
// side is rounded up to a multiple of `stride` (1920x1080 at 640 → 640x384).
cv::Size RectangularInputSize(cv::Size frame, int imgsz, int stride = 32);

}  // namespace pw::infer
