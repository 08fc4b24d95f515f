// Painting animals into a frame: skin with shading, spots and dirt, ears, legs, tail and a soft
// cast shadow — and, in the same pass, the instance-id map that makes ground truth exact.
//
// Animals must be painted in depth order (lowest first). Each call overwrites both the image and
// the id map under the animal's silhouette, so after all calls a pixel's id is the animal that is
// visible there: visible masks, overlaps and occlusion come out exact by construction.
//
// Thread-safety: pure functions on caller-owned images.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "scenegen/animal.h"
#include "scenegen/camera.h"

namespace pw::scenegen {

// How the pen's lamps light the animals.
struct Lighting {
  cv::Point2d direction{0.5, 0.8};  // image direction shadows fall in (unit vector)
  double length = 0.05;             // shadow offset as a fraction of the animal's length
  float darkness = 0.35f;           // 0: no shadow, 1: black
  float sheen = 0.1f;               // highlight along the back (wet or clean skin)
};

// Paints `animal` (outline `shape` in world pixels) into `image` (8UC3) and `ids` (16UC1, value
// animal.id). Returns the number of pixels of the animal's whole silhouette, including the parts
// outside the image or hidden later by animals painted on top.
int PaintAnimal(const Animal& animal, const AnimalShape& shape, const Camera& camera,
                const Lighting& lighting, cv::Mat& image, cv::Mat& ids);

// The animal's whole silhouette as an image-sized mask (8UC1, 255 inside), rasterised exactly as
// PaintAnimal() does. For tests and tools.
cv::Mat SilhouetteMask(const AnimalShape& shape, const Camera& camera);

}  // namespace pw::scenegen
