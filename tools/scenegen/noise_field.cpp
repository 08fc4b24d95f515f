#include "scenegen/noise_field.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace pw::scenegen {

cv::Mat SmoothNoise(Rng& rng, cv::Size size, double cell_px) {
  cell_px = std::max(cell_px, 2.0);
  const int gw = static_cast<int>(std::ceil(size.width / cell_px)) + 2;
  const int gh = static_cast<int>(std::ceil(size.height / cell_px)) + 2;
  cv::Mat grid(gh, gw, CV_32F);
  for (int y = 0; y < gh; ++y) {
    for (int x = 0; x < gw; ++x) grid.at<float>(y, x) = static_cast<float>(rng.Uniform());
  }
  cv::Mat big;
  cv::resize(grid, big, cv::Size(static_cast<int>(gw * cell_px), static_cast<int>(gh * cell_px)),
             0, 0, cv::INTER_CUBIC);
  const int ox = static_cast<int>(cell_px * 0.5);
  const int oy = static_cast<int>(cell_px * 0.5);
  return big(cv::Rect(ox, oy, size.width, size.height)).clone();
}

cv::Mat FractalNoise(Rng& rng, cv::Size size, double cell_px) {
  cv::Mat a = SmoothNoise(rng, size, cell_px);
  cv::Mat b = SmoothNoise(rng, size, cell_px / 3.0);
  cv::Mat out = a * 0.7 + b * 0.3;
  return out;
}

}  // namespace pw::scenegen
