// Photo: what the camera and its surroundings do to the clean rendered scene — uneven lighting
// (a lamp's hot spot, colour temperature, exposure), lens vignetting, optical blur, sensor noise
// and JPEG-like compression artefacts.
//
// These effects change pixel values only, never geometry: ground truth masks stay valid.
// Thread-safety: value type and pure functions.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "scenegen/rng.h"

namespace pw::scenegen {

struct Photo {
  double exposure = 1.0;             // overall gain
  cv::Vec3f tint{1, 1, 1};           // per-channel (BGR) colour temperature
  cv::Point2d lamp{0.5, 0.5};        // hot spot, fractions of width/height
  double lamp_strength = 0.2;        // brightness added at the hot spot
  double lamp_radius = 0.6;          // fraction of the image diagonal
  double vignette = 0.3;             // darkening at the corners (0..1)
  double blur_sigma = 0.7;           // pixels; 0: none
  double noise_sigma = 3.0;          // 8-bit levels
  double softness = 1.0;             // < 1: detail of a lower-resolution sensor (scale factor)
  bool monochrome = false;           // night (infrared) mode: grey image
  int jpeg_quality = 0;              // 0: no compression round trip
  uint64_t noise_seed = 0;
};

// Samples camera/lighting conditions for a still image (with compression artefacts).
Photo SamplePhoto(Rng& rng);

// Applies lighting, vignetting, blur, noise and compression to an 8-bit BGR image in place.
void ApplyPhoto(const Photo& photo, cv::Mat& image);

}  // namespace pw::scenegen
