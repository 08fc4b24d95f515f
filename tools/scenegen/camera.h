// Camera: the geometry of the overhead camera above the weighing pen.
//
// "World" coordinates are the pixels of an ideal (distortion-free) top view the same size as the
// output image; the floor is the plane z = 0. The camera looks down, possibly tilted a little
// toward the top or bottom of the picture (the far side then looks smaller), and the lens adds
// mild barrel (fisheye-like) distortion around the image centre: Project() maps a world point to
// where it lands in the output image, Unproject() the reverse. Geometry (animal outlines) is
// projected point by point, so instance masks are exact; raster layers (floor, walls) are warped
// with the maps from BuildWarpMaps().
//
// Thread-safety: a value type; const methods may be called concurrently.
#pragma once

#include <opencv2/core.hpp>

namespace pw::scenegen {

struct Camera {
  int width = 640;
  int height = 384;
  double barrel = 0.08;  // k in r_world = r_image * (1 + k r_image^2), r normalised by half-diagonal
  double tilt = 0.0;     // perspective: scale 1 / (1 + tilt * dy / height) at dy from the centre row

  cv::Point2d Project(cv::Point2d world) const;
  cv::Point2d Unproject(cv::Point2d image) const;
  // The world rectangle that the whole image sees (larger than the image for barrel > 0).
  cv::Rect2d VisibleWorld() const;
  // Maps for cv::remap that turn a world raster whose pixel (0,0) is world point `origin` into
  // the output image.
  void BuildWarpMaps(cv::Point2d origin, cv::Mat& map_x, cv::Mat& map_y) const;
};

}  // namespace pw::scenegen
