// Post-processing for Ultralytics YOLO detect/segment outputs (end2end=False exports).
//
// output0 [1, 4+nc(+32), A]: per anchor cx, cy, w, h (input pixels), nc class scores (already
// sigmoid), and for segment models 32 mask coefficients; output1 [1, 32, H/4, W/4]: prototypes.
// Decode → best class per anchor → class filter → confidence threshold → per-class greedy NMS
// (score order, ties by anchor index) → boxes back to frame pixels. Segment: mask =
// sigmoid(coeffs · protos), zeroed outside the box (at prototype resolution, as Ultralytics'
// crop_mask), bilinearly sampled over the frame box (at every input pixel, or with retina_masks at
// every frame pixel), > 0.5; then the largest outer contour simplified
// with approxPolyDP, and the mask's area — both in frame pixels.
//
// Thread-safety: pure function; safe from many threads.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "infer/instance.h"
#include "infer/preprocess.h"

namespace pw::infer {

struct PostprocessOptions {
  float conf_threshold = 0.25f;   // CONF_THRESHOLD
  float iou_threshold = 0.7f;     // NMS IoU (Ultralytics' default)
  std::vector<int> class_ids;     // TARGET_CLASS_IDS; empty = all classes
  int max_detections = 300;
  int max_candidates = 30000;     // best-scoring candidates kept before NMS
  bool keep_masks = false;        // fill Instance::mask
  // As Ultralytics' retina_masks: sample masks at every frame pixel instead of every input pixel.
  // Input resolution (the default, as in Ultralytics) is (1/scale)^2 cheaper for frames larger
  // than the input (9x for 1080p at 640) and loses little: prototypes are at 1/4 of the input
  // resolution anyway. Polygon and area are in frame pixels either way.
  bool retina_masks = false;
  double polygon_epsilon = 1.5;   // approxPolyDP tolerance, frame pixels
};

// `outputs` as the network gives them (output0 first). Instances sorted by descending score.
std::vector<Instance> Postprocess(const std::vector<cv::Mat>& outputs, int num_classes,
                                  const Letterbox& letterbox, const PostprocessOptions& options);

// Greedy NMS over boxes (x1,y1,x2,y2) already sorted by descending score; returns kept indices.
// Boxes of different `classes` never suppress each other.
std::vector<int> GreedyNms(const std::vector<cv::Rect2f>& boxes, const std::vector<int>& classes,
                           float iou_threshold, int max_keep);

}  // namespace pw::infer
