#include "scenegen/camera.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pw::scenegen {
namespace {

double HalfDiagonal(const Camera& c) { return 0.5 * std::hypot(c.width, c.height); }
cv::Point2d Centre(const Camera& c) { return {0.5 * c.width, 0.5 * c.height}; }

// Denominators of the tilt are kept away from zero for points far outside the picture.
double Positive(double v) { return std::max(v, 0.2); }

}  // namespace

cv::Point2d Camera::Unproject(cv::Point2d image) const {
  const double r0 = HalfDiagonal(*this);
  const cv::Point2d c = Centre(*this);
  const cv::Point2d d = (image - c) * (1.0 / r0);
  const double r2 = d.dot(d);
  const cv::Point2d flat = d * (r0 * (1.0 + barrel * r2));  // undistorted, relative to c
  // Undo the tilt: flat.y = dy / (1 + t dy / h)  =>  dy = flat.y / (1 - t flat.y / h).
  const double dy = flat.y / Positive(1.0 - tilt * flat.y / height);
  return {c.x + flat.x * (1.0 + tilt * dy / height), c.y + dy};
}

cv::Point2d Camera::Project(cv::Point2d world) const {
  const double r0 = HalfDiagonal(*this);
  const cv::Point2d c = Centre(*this);
  const double dy = world.y - c.y;
  const double shrink = 1.0 / Positive(1.0 + tilt * dy / height);
  const cv::Point2d flat(c.x + (world.x - c.x) * shrink, c.y + dy * shrink);
  const cv::Point2d u = (flat - c) * (1.0 / r0);
  const double ru = std::sqrt(u.dot(u));
  if (ru < 1e-12 || barrel == 0.0) return flat;
  // Solve rd + k rd^3 = ru by Newton's method from rd = ru (converges in a few steps for k < 0.3).
  double rd = ru;
  for (int i = 0; i < 6; ++i) {
    const double f = rd + barrel * rd * rd * rd - ru;
    const double df = 1.0 + 3.0 * barrel * rd * rd;
    rd -= f / df;
  }
  return c + u * (r0 * rd / ru);
}

cv::Rect2d Camera::VisibleWorld() const {
  double x0 = 0, y0 = 0, x1 = width, y1 = height;
  std::vector<cv::Point2d> probes;
  for (int i = 0; i <= 16; ++i) {
    const double fx = i * width / 16.0, fy = i * height / 16.0;
    probes.insert(probes.end(), {{fx, 0}, {fx, 1.0 * height}, {0, fy}, {1.0 * width, fy}});
  }
  for (const cv::Point2d& p : probes) {
    const cv::Point2d w = Unproject(p);
    x0 = std::min(x0, w.x);
    y0 = std::min(y0, w.y);
    x1 = std::max(x1, w.x);
    y1 = std::max(y1, w.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

void Camera::BuildWarpMaps(cv::Point2d origin, cv::Mat& map_x, cv::Mat& map_y) const {
  map_x.create(height, width, CV_32F);
  map_y.create(height, width, CV_32F);
  for (int y = 0; y < height; ++y) {
    float* mx = map_x.ptr<float>(y);
    float* my = map_y.ptr<float>(y);
    for (int x = 0; x < width; ++x) {
      const cv::Point2d w = Unproject({static_cast<double>(x), static_cast<double>(y)});
      mx[x] = static_cast<float>(w.x - origin.x);
      my[x] = static_cast<float>(w.y - origin.y);
    }
  }
}

}  // namespace pw::scenegen
