// Smooth random fields (value noise) used for floor dirt, wet patches, skin mottling and light.
//
// Thread-safety: pure functions; determinism comes from the caller's Rng.
#pragma once

#include <opencv2/core.hpp>

#include "scenegen/rng.h"

namespace pw::scenegen {

// A CV_32F field of `size` with values in about [0, 1] that varies over `cell_px` pixels.
cv::Mat SmoothNoise(Rng& rng, cv::Size size, double cell_px);

// Sum of two octaves (cell_px and cell_px / 3), rescaled to about [0, 1].
cv::Mat FractalNoise(Rng& rng, cv::Size size, double cell_px);

}  // namespace pw::scenegen
