// Truth: exact per-animal ground truth of a rendered frame, read from its instance-id map, and
// its two file forms — our JSON (everything) and YOLO-seg labels (for training).
//
// An instance is an animal with at least one visible pixel. Its mask is the set of pixels whose
// id is the animal's; polygons are that mask's outer contours (one per connected part), so a
// polygon rasterised back covers the mask up to contour simplification. visible_fraction is
// visible pixels / whole-silhouette pixels (parts outside the image count as hidden). `count` is
// the number of instances with visible_fraction >= min_visible.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "scenegen/animal.h"

namespace pw::scenegen {

struct InstanceTruth {
  int id = 0;
  cv::Rect bbox;
  int area = 0;        // visible pixels
  int full_area = 0;   // whole-silhouette pixels
  double visible_fraction = 0;
  bool counted = false;
  double weight_kg = 0;
  double length_m = 0;
  double width_m = 0;
  Pose pose = Pose::kStanding;
  Coat coat = Coat::kPink;
  std::vector<std::vector<cv::Point>> polygons;  // image pixels, outer contours
};

struct FrameTruth {
  int width = 0;
  int height = 0;
  double min_visible = 0.5;
  int count = 0;               // instances with visible_fraction >= min_visible
  int animals_in_pen = 0;      // all animals, seen or not (the scale weighs them all)
  double pen_weight_kg = 0;    // their total weight
  std::vector<InstanceTruth> instances;  // by id
};

// `animals` and `full_area` are parallel (as returned by RenderAnimals); ids in `ids` are
// Animal::id values.
FrameTruth ExtractTruth(const cv::Mat& ids, const std::vector<Animal>& animals,
                        const std::vector<int>& full_area, double min_visible);

nlohmann::json ToJson(const InstanceTruth& instance);
nlohmann::json ToJson(const FrameTruth& truth);

struct YoloLabelOptions {
  double min_visible = 0.15;  // smaller visible parts are left unlabelled
  int min_area_px = 20;
  double min_part_area_px = 6;  // smaller extra parts of an instance are left out
};

// Ultralytics YOLO-seg label text: one line per instance, "0 x1 y1 x2 y2 ..." with coordinates
// normalised to [0, 1]. An instance split into several parts is joined into one polygon by
// zero-width bridges (the way Ultralytics merges multi-part masks).
std::string YoloSegLabels(const FrameTruth& truth, const YoloLabelOptions& options);

// One polygon covering all parts of `polygons` (bridged at their closest vertices).
std::vector<cv::Point> MergePolygons(const std::vector<std::vector<cv::Point>>& polygons);

}  // namespace pw::scenegen
