// Overlap measures between instances, used by the tracker to associate detections with tracks.
//
// BoxIoU is exact for axis-aligned boxes. PolygonIoU rasterises both polygons over their union
// bounding rectangle (scaled down so that rectangle has at most `max_side` pixels on its long
// side), so it is an approximation good to about a pixel of that grid; it returns 0 when either
// polygon has fewer than 3 points or the polygons' boxes do not meet.
//
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace pw::counting {

float BoxIoU(const cv::Rect2f& a, const cv::Rect2f& b);

// `offset_a` shifts polygon `a` (frame pixels) before comparing — a track's last outline moved to
// where its motion model predicts it.
float PolygonIoU(const std::vector<cv::Point>& a, cv::Point2f offset_a, const std::vector<cv::Point>& b,
                 int max_side = 48);

}  // namespace pw::counting
