// Instance: one detected object (a pig) in frame coordinates, as post-processing produces it and
// counting, storage and overlays consume it. A plain value type.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace pw::infer {

struct Instance {
  cv::Rect2f box;                   // detection box in frame pixels, clipped to the frame
  float score = 0;                  // class confidence, 0..1
  int class_id = 0;
  std::vector<cv::Point> polygon;   // segment models: simplified outer contour of the mask (frame px)
  double area = 0;                  // mask pixels (segment) or box area (detect)
  cv::Rect mask_rect;               // segment models: frame region the mask covers
  cv::Mat mask;                     // optional CV_8U 0/255 over mask_rect (PostprocessOptions::keep_masks)
};

// {"box":[x,y,w,h],"score":..,"class_id":..,"area":..,"polygon":[[x,y],...]} (no mask pixels).
nlohmann::json ToJson(const Instance& instance);

}  // namespace pw::infer
