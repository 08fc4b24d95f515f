// Scene: one still of a weighing pen with its animals — everything that a seed decides, and the
// rendering of it into an image plus an instance-id map.
//
// SampleScene(seed) is a pure function of the seed and options: the same seed gives the same
// SceneSpec, and RenderScene() of the same spec gives the same bytes. A spec can be edited before
// rendering (tests place animals by hand).
//
// Thread-safety: value types and pure functions; render different scenes on different threads
// freely.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "scenegen/animal.h"
#include "scenegen/camera.h"
#include "scenegen/painter.h"
#include "scenegen/pen.h"
#include "scenegen/photo.h"

namespace pw::scenegen {

struct SceneOptions {
  int width = 640;
  int height = 384;
  int min_animals = 0;
  int max_animals = 80;
  int count = -1;  // >= 0: exactly this many animals in the pen
};

struct SceneSpec {
  uint64_t seed = 0;
  Camera camera;
  Pen pen;
  double pixels_per_metre = 150;
  double mean_weight_kg = 10;
  std::vector<Animal> animals;  // ids 1..N
  Lighting lighting;
  Photo photo;
};

SceneSpec SampleScene(uint64_t seed, const SceneOptions& options);

struct RenderedScene {
  cv::Mat image;               // 8UC3 BGR, final (lighting, noise, compression applied)
  cv::Mat ids;                 // 16UC1: id of the visible animal per pixel, 0 = floor/wall
  std::vector<int> full_area;  // per animal (same order as the spec): silhouette pixels
};

// Paints `animals` (any order; painted by depth) over a pen background and applies `photo`.
RenderedScene RenderAnimals(const cv::Mat& background, const Camera& camera, double pixels_per_metre,
                            const std::vector<Animal>& animals, const Lighting& lighting,
                            const Photo& photo);

RenderedScene RenderScene(const SceneSpec& spec);

}  // namespace pw::scenegen
