#include "counting/overlap.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace pw::counting {

float BoxIoU(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
  const float x2 = std::min(a.x + a.width, b.x + b.width), y2 = std::min(a.y + a.height, b.y + b.height);
  if (x2 <= x1 || y2 <= y1) return 0.f;
  const float inter = (x2 - x1) * (y2 - y1);
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

namespace {

cv::Rect2f BoundsOf(const std::vector<cv::Point>& poly, cv::Point2f offset) {
  float x1 = poly[0].x + offset.x, y1 = poly[0].y + offset.y, x2 = x1, y2 = y1;
  for (const cv::Point& p : poly) {
    x1 = std::min(x1, p.x + offset.x);
    y1 = std::min(y1, p.y + offset.y);
    x2 = std::max(x2, p.x + offset.x);
    y2 = std::max(y2, p.y + offset.y);
  }
  return {x1, y1, x2 - x1 + 1, y2 - y1 + 1};
}

// Polygon mapped onto the comparison grid (origin, scale), in fixed point for sub-pixel fill.
constexpr int kShift = 4;
std::vector<cv::Point> ToGrid(const std::vector<cv::Point>& poly, cv::Point2f offset, cv::Point2f origin,
                              float scale) {
  std::vector<cv::Point> out;
  out.reserve(poly.size());
  const float k = scale * (1 << kShift);
  for (const cv::Point& p : poly) {
    out.emplace_back(static_cast<int>(std::lround((p.x + offset.x - origin.x) * k)),
                     static_cast<int>(std::lround((p.y + offset.y - origin.y) * k)));
  }
  return out;
}

}  // namespace

float PolygonIoU(const std::vector<cv::Point>& a, cv::Point2f offset_a, const std::vector<cv::Point>& b,
                 int max_side) {
  if (a.size() < 3 || b.size() < 3) return 0.f;
  const cv::Rect2f ra = BoundsOf(a, offset_a), rb = BoundsOf(b, {0, 0});
  if ((ra & rb).area() <= 0) return 0.f;
  const cv::Rect2f u = ra | rb;
  const float scale = std::min(1.f, static_cast<float>(max_side) / std::max(u.width, u.height));
  const cv::Size size(std::max(1, static_cast<int>(std::ceil(u.width * scale)) + 1),
                      std::max(1, static_cast<int>(std::ceil(u.height * scale)) + 1));
  cv::Mat ma = cv::Mat::zeros(size, CV_8U), mb = cv::Mat::zeros(size, CV_8U);
  const cv::Point2f origin(u.x, u.y);
  cv::fillPoly(ma, std::vector<std::vector<cv::Point>>{ToGrid(a, offset_a, origin, scale)}, 1, cv::LINE_8, kShift);
  cv::fillPoly(mb, std::vector<std::vector<cv::Point>>{ToGrid(b, {0, 0}, origin, scale)}, 1, cv::LINE_8, kShift);
  int inter = 0, uni = 0;
  for (int y = 0; y < size.height; ++y) {
    const uchar* pa = ma.ptr<uchar>(y);
    const uchar* pb = mb.ptr<uchar>(y);
    for (int x = 0; x < size.width; ++x) {
      inter += pa[x] & pb[x];
      uni += pa[x] | pb[x];
    }
  }
  return uni > 0 ? static_cast<float>(inter) / static_cast<float>(uni) : 0.f;
}

}  // namespace pw::counting
