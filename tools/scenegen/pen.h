// Pen: the weighing pen seen from above — a steel diamond-plate floor inside walls/rails.
//
// SamplePen() draws the pen's geometry (where its walls are relative to the camera's view; some
// walls lie outside the picture so animals there are cut by the image border) and its look
// (floor colour, plate pitch, dirt, wet patches, wall style). RenderPenBackground() paints the
// empty pen as the distorted camera would see it, before lighting and sensor effects.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

#include "scenegen/camera.h"
#include "scenegen/rng.h"

namespace pw::scenegen {

enum Side { kLeft = 0, kTop = 1, kRight = 2, kBottom = 3 };

struct Pen {
  cv::Rect2d inner;                    // the floor inside the walls, world pixels
  std::array<bool, 4> wall_in_view{};  // per Side: is that wall inside the picture?
  double wall_band_px = 20;            // wall top + visible inner face, world pixels
  int gate_side = kLeft;               // where animals enter and leave (videos)

  // Look.
  cv::Vec3f floor_bgr{150, 140, 128};
  double plate_pitch_px = 6;      // spacing of the diamond lugs
  double plate_angle = 0;         // radians
  double relief = 0.25;           // strength of the lug highlights
  double seam_spacing_px = 200;   // steel sheet joints
  double dirt = 0.3;              // 0..1
  double wetness = 0.3;           // 0..1
  cv::Vec3f wall_bgr{170, 170, 165};
  int rails = 2;                  // tubes along the wall band (0: solid panel)
  uint64_t texture_seed = 0;
};

// Samples the pen for `camera`. When `gate_out_of_view` is set, the gate side's wall lies outside
// the picture (videos let animals walk in across that border).
Pen SamplePen(Rng& rng, const Camera& camera, bool gate_out_of_view);

// Chooses the floor texture scale once the scene's pixels-per-metre are known.
void SetPenScale(Pen& pen, double pixels_per_metre);

// The empty pen as seen through `camera` (8-bit BGR, camera.width x camera.height).
cv::Mat RenderPenBackground(const Pen& pen, const Camera& camera);

}  // namespace pw::scenegen
