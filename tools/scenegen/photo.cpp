#include "scenegen/photo.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace pw::scenegen {
namespace {

// Multiplicative light field at 1/8 resolution, upsampled: exposure * lamp * vignette.
cv::Mat LightField(const Photo& p, cv::Size size) {
  const int step = 8;
  const cv::Size small((size.width + step - 1) / step + 1, (size.height + step - 1) / step + 1);
  cv::Mat field(small, CV_32F);
  const double diag = std::hypot(size.width, size.height);
  const double lx = p.lamp.x * size.width, ly = p.lamp.y * size.height;
  const double lamp_r = p.lamp_radius * diag;
  for (int y = 0; y < small.height; ++y) {
    for (int x = 0; x < small.width; ++x) {
      const double px = x * step, py = y * step;
      const double dl2 = ((px - lx) * (px - lx) + (py - ly) * (py - ly)) / (lamp_r * lamp_r);
      const double dx = (px - 0.5 * size.width) / (0.5 * diag);
      const double dy = (py - 0.5 * size.height) / (0.5 * diag);
      const double r2 = dx * dx + dy * dy;
      const double lamp = 1.0 + p.lamp_strength * (std::exp(-dl2) - 0.4);
      const double vignette = 1.0 - p.vignette * r2 * r2;
      field.at<float>(y, x) = static_cast<float>(p.exposure * lamp * vignette);
    }
  }
  cv::Mat full;
  cv::resize(field, full, cv::Size(small.width * step, small.height * step), 0, 0, cv::INTER_LINEAR);
  return full(cv::Rect(0, 0, size.width, size.height)).clone();
}

}  // namespace

Photo SamplePhoto(Rng& rng) {
  Photo p;
  p.exposure = rng.NormalClamped(1.0, 0.13, 0.65, 1.35);
  const double warm = rng.Normal(0, 0.07);  // LED blue to sodium yellow
  p.tint = cv::Vec3f(static_cast<float>(1 - warm), 1.f, static_cast<float>(1 + warm));
  p.lamp = {rng.Uniform(0.1, 0.9), rng.Uniform(0.1, 0.9)};
  p.lamp_strength = rng.Uniform(0.0, 0.45);
  p.lamp_radius = rng.Uniform(0.25, 0.8);
  p.vignette = rng.Uniform(0.1, 0.6);
  p.blur_sigma = rng.Chance(0.85) ? rng.Uniform(0.4, 1.3) : 0.0;
  p.noise_sigma = rng.Uniform(1.0, 7.0);
  p.softness = rng.Chance(0.3) ? rng.Uniform(0.45, 0.85) : 1.0;
  p.monochrome = rng.Chance(0.08);
  p.jpeg_quality = rng.Chance(0.75) ? rng.Int(35, 92) : 0;
  p.noise_seed = rng.Next();
  return p;
}

void ApplyPhoto(const Photo& p, cv::Mat& image) {
  const cv::Mat light = LightField(p, image.size());
  if (p.softness < 0.99) {
    cv::Mat small;
    cv::resize(image, small, cv::Size(), p.softness, p.softness, cv::INTER_AREA);
    cv::resize(small, image, image.size(), 0, 0, cv::INTER_LINEAR);
  }
  if (p.blur_sigma > 0.05) cv::GaussianBlur(image, image, cv::Size(0, 0), p.blur_sigma);
  const float noise = static_cast<float>(p.noise_sigma);
  for (int y = 0; y < image.rows; ++y) {
    cv::Vec3b* row = image.ptr<cv::Vec3b>(y);
    const float* l = light.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x) {
      // Four 16-bit uniforms from one hash: a shared (luma) and a per-channel noise term.
      const uint64_t h = MixSeed(p.noise_seed + static_cast<uint64_t>(y) * image.cols + x);
      auto u = [&](int k) { return static_cast<float>((h >> (16 * k)) & 0xFFFF) / 65535.f - 0.5f; };
      const float luma = (u(0) + u(1)) * 1.7f * noise;
      for (int c = 0; c < 3; ++c) {
        const float chroma = u(2 + (c & 1)) * 0.8f * noise * (c == 1 ? -1.f : 1.f);
        row[x][c] = cv::saturate_cast<uint8_t>(row[x][c] * l[x] * p.tint[c] + luma + chroma);
      }
    }
  }
  if (p.monochrome) {
    cv::Mat grey;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(grey, image, cv::COLOR_GRAY2BGR);
  }
  if (p.jpeg_quality > 0) {
    std::vector<uint8_t> buf;
    cv::imencode(".jpg", image, buf, {cv::IMWRITE_JPEG_QUALITY, p.jpeg_quality});
    image = cv::imdecode(buf, cv::IMREAD_COLOR);
  }
}

}  // namespace pw::scenegen
