#include "scenegen/pen.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "scenegen/noise_field.h"

namespace pw::scenegen {
namespace {

constexpr double kPi = 3.14159265358979323846;

float Clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }

// Diamond-plate relief in plate cell coordinates (u, v): a value in about [-1, 1] (lit lug face
// positive, shadowed side negative, flat steel 0). Lugs alternate orientation cell by cell, so
// the pattern repeats every 2 x 2 cells.
float PlateRelief(double u, double v) {
  const double iu = std::floor(u), iv = std::floor(v);
  const double fu = u - iu - 0.5, fv = v - iv - 0.5;
  const double sgn = (static_cast<int64_t>(iu + iv) & 1) ? 1.0 : -1.0;
  const double a = (fu + sgn * fv) * 0.70710678;
  const double b = (-sgn * fu + fv) * 0.70710678;
  const double e = (a / 0.36) * (a / 0.36) + (b / 0.10) * (b / 0.10);
  // The lug's cross-axis normal, lit from the upper left.
  const double facing = (-sgn * 0.6 - 0.8) * 0.70710678;
  const double across = b / 0.10;  // -1..1 across the lug
  if (e < 1.0) {
    const double edge = Clamp01(static_cast<float>((1.0 - e) / 0.35));
    return static_cast<float>(edge * (0.35 - 0.9 * across * facing));
  }
  if (e < 1.8 && across * facing > 0) return static_cast<float>(-0.45 * (1.8 - e));
  return 0.f;
}

// PlateRelief tabulated over one 2 x 2 cell period (kPlateSteps samples per cell): a lookup per
// pixel instead of the math.
constexpr int kPlateSteps = 32;
constexpr int kPlateTable = 2 * kPlateSteps;

struct PlateTable {
  float v[kPlateTable][kPlateTable];
  PlateTable() {
    for (int i = 0; i < kPlateTable; ++i) {
      for (int j = 0; j < kPlateTable; ++j) {
        v[i][j] = PlateRelief((i + 0.5) / kPlateSteps, (j + 0.5) / kPlateSteps);
      }
    }
  }
  float At(double u, double v_) const {
    const auto iu = static_cast<int64_t>(std::floor(u * kPlateSteps)) & (kPlateTable - 1);
    const auto iv = static_cast<int64_t>(std::floor(v_ * kPlateSteps)) & (kPlateTable - 1);
    return v[iu][iv];
  }
};

cv::Vec3f Mix(const cv::Vec3f& a, const cv::Vec3f& b, float t) { return a * (1.f - t) + b * t; }

struct Fields {
  cv::Mat dirt, wet, grain, outside;
};

Fields MakeFields(const Pen& pen, cv::Size size, cv::Point2d origin) {
  Rng rng(pen.texture_seed);
  Fields f;
  f.dirt = FractalNoise(rng, size, 70.0);
  f.wet = SmoothNoise(rng, size, 110.0);
  f.grain = SmoothNoise(rng, size, 3.0);
  f.outside = FractalNoise(rng, size, 25.0);
  // Dung and urine stains: blobs, most of them along the walls where pigs stand.
  cv::Mat blobs = cv::Mat::zeros(size, CV_32F);
  const int n = static_cast<int>(pen.dirt * 40);
  for (int i = 0; i < n; ++i) {
    double x = rng.Uniform(pen.inner.x, pen.inner.br().x);
    double y = rng.Uniform(pen.inner.y, pen.inner.br().y);
    if (rng.Chance(0.6)) {  // snap to a wall
      const int side = rng.Int(0, 3);
      const double d = std::abs(rng.Normal(0, 12));
      if (side == kLeft) x = pen.inner.x + d;
      if (side == kRight) x = pen.inner.br().x - d;
      if (side == kTop) y = pen.inner.y + d;
      if (side == kBottom) y = pen.inner.br().y - d;
    }
    const cv::Point c(static_cast<int>(x - origin.x), static_cast<int>(y - origin.y));
    const cv::Size axes(rng.Int(2, 14), rng.Int(2, 9));
    cv::ellipse(blobs, c, axes, rng.Uniform(0, 180), 0, 360, cv::Scalar(rng.Uniform(0.4, 1.0)),
                cv::FILLED);
  }
  cv::GaussianBlur(blobs, blobs, cv::Size(0, 0), 2.5);
  f.dirt = f.dirt * pen.dirt;
  cv::max(f.dirt, blobs, f.dirt);
  return f;
}

// Distance (world px) inside the wall band from the pen floor, or -1 when (x, y) is not in it.
double WallDepth(const Pen& pen, double x, double y) {
  const cv::Rect2d& r = pen.inner;
  const double out = std::max({r.x - x, r.y - y, x - r.br().x, y - r.br().y});
  if (out <= 0) return -1;
  return out;
}

cv::Vec3f WallColour(const Pen& pen, double depth, float grain) {
  const double t = depth / pen.wall_band_px;  // 0 at the floor, 1 at the outer edge
  if (pen.rails == 0) {
    // A solid panel: its inner face darkens toward the floor, the top cap is bright.
    const float shade = t > 0.75 ? 1.15f : static_cast<float>(0.55 + 0.5 * t);
    return pen.wall_bgr * shade * (0.95f + 0.1f * grain);
  }
  // Tubes: `rails` cylinders across the band with darker gaps between.
  const double pos = t * pen.rails;
  const double frac = pos - std::floor(pos);
  const double tube = std::sin(frac * kPi);
  if (tube < 0.25) return pen.wall_bgr * 0.35f;
  const float shade = static_cast<float>(0.45 + 0.75 * std::pow(tube, 3.0));
  return pen.wall_bgr * shade;
}

// Things on the floor that are not animals: straw and sawdust, a hose, a worker's boots by the
// wall. They teach a model what not to count.
void DrawLitter(const Pen& pen, cv::Point2d origin, cv::Mat& world) {
  Rng rng(pen.texture_seed ^ 0x11773ULL);
  const cv::Rect2d& r = pen.inner;
  auto at = [&](double x, double y) {
    return cv::Point(static_cast<int>(x - origin.x), static_cast<int>(y - origin.y));
  };
  if (rng.Chance(0.35)) {
    const int straws = rng.Int(10, 120);
    for (int i = 0; i < straws; ++i) {
      const double x = rng.Uniform(r.x, r.br().x), y = rng.Uniform(r.y, r.br().y);
      const double a = rng.Uniform(0, 2 * kPi), len = rng.Uniform(4, 18);
      const double tone = rng.Uniform(0.7, 1.1);
      cv::line(world, at(x, y), at(x + len * std::cos(a), y + len * std::sin(a)),
               cv::Scalar(90 * tone, 170 * tone, 200 * tone), 1, cv::LINE_AA);
    }
  }
  if (rng.Chance(0.12)) {  // a hose lying across part of the pen
    std::vector<cv::Point> hose;
    double x = rng.Uniform(r.x, r.br().x), y = r.y;
    double a = kPi / 2 + rng.Normal(0, 0.4);
    for (int i = 0; i < 12; ++i) {
      hose.push_back(at(x, y));
      a += rng.Normal(0, 0.25);
      x += 25 * std::cos(a), y += 25 * std::sin(a);
    }
    const cv::Scalar colour = rng.Chance(0.5) ? cv::Scalar(40, 40, 40) : cv::Scalar(50, 120, 60);
    cv::polylines(world, std::vector<std::vector<cv::Point>>{hose}, false, colour, rng.Int(3, 6),
                  cv::LINE_AA);
  }
  if (rng.Chance(0.12)) {  // a worker's boots just inside a wall
    const double ppm = pen.plate_pitch_px / 0.032;  // SetPenScale's inverse
    const double x = rng.Uniform(r.x + 0.2 * ppm, r.br().x - 0.2 * ppm);
    const bool top = rng.Chance(0.5);
    const double y = top ? r.y + 0.15 * ppm : r.br().y - 0.15 * ppm;
    const cv::Size boot(static_cast<int>(0.05 * ppm) + 1, static_cast<int>(0.14 * ppm) + 1);
    const cv::Scalar colour = rng.Chance(0.5) ? cv::Scalar(35, 70, 40) : cv::Scalar(30, 30, 35);
    for (double dx : {-0.1 * ppm, 0.1 * ppm}) {
      cv::ellipse(world, at(x + dx, y), boot, rng.Normal(0, 10), 0, 360, colour,
                  cv::FILLED, cv::LINE_AA);
    }
  }
}

}  // namespace

Pen SamplePen(Rng& rng, const Camera& camera, bool gate_out_of_view) {
  Pen pen;
  const cv::Rect2d view = camera.VisibleWorld();
  pen.wall_band_px = rng.Uniform(0.035, 0.075) * camera.height;
  pen.gate_side = rng.Int(0, 3);
  double edge[4];
  for (int s = 0; s < 4; ++s) {
    const double dim = (s == kLeft || s == kRight) ? view.width : view.height;
    const bool forced_out = gate_out_of_view && s == pen.gate_side;
    pen.wall_in_view[s] = !forced_out && rng.Chance(0.72);
    // Inset from the picture border to the pen floor (negative: the floor runs past the border).
    edge[s] = pen.wall_in_view[s] ? pen.wall_band_px + rng.Uniform(-0.2, 0.6) * pen.wall_band_px +
                                        rng.Uniform(0, 0.04) * dim
                                  : -rng.Uniform(0.01, 0.12) * dim;
  }
  pen.inner = cv::Rect2d(view.x + edge[kLeft], view.y + edge[kTop],
                         view.width - edge[kLeft] - edge[kRight],
                         view.height - edge[kTop] - edge[kBottom]);

  const double grey = rng.Uniform(85, 160);
  const double blue = rng.Uniform(4, 22);
  pen.floor_bgr = cv::Vec3f(static_cast<float>(grey + blue), static_cast<float>(grey + blue * 0.3),
                            static_cast<float>(grey - blue * 0.4));
  pen.plate_angle = rng.Int(0, 1) * kPi / 2 + rng.Normal(0, 0.02);
  pen.relief = rng.Uniform(0.15, 0.40);
  pen.dirt = rng.Uniform(0.05, 0.8);
  pen.wetness = rng.Chance(0.6) ? rng.Uniform(0.1, 0.9) : 0.0;
  const double wall_grey = rng.Uniform(110, 215);
  const double wall_tint = rng.Chance(0.3) ? rng.Uniform(-25, 25) : 0.0;
  pen.wall_bgr = cv::Vec3f(static_cast<float>(wall_grey + wall_tint), static_cast<float>(wall_grey),
                           static_cast<float>(wall_grey - wall_tint));
  pen.rails = rng.Int(0, 3);
  pen.texture_seed = rng.Next();
  return pen;
}

void SetPenScale(Pen& pen, double pixels_per_metre) {
  pen.plate_pitch_px = std::max(3.2, 0.032 * pixels_per_metre);
  pen.seam_spacing_px = std::max(60.0, 1.25 * pixels_per_metre);
}

cv::Mat RenderPenBackground(const Pen& pen, const Camera& camera) {
  const cv::Rect2d view = camera.VisibleWorld();
  const cv::Point2d origin(std::floor(view.x) - 2, std::floor(view.y) - 2);
  const cv::Size size(static_cast<int>(std::ceil(view.width)) + 5,
                      static_cast<int>(std::ceil(view.height)) + 5);
  const Fields f = MakeFields(pen, size, origin);
  const double ca = std::cos(pen.plate_angle) / pen.plate_pitch_px;
  const double sa = std::sin(pen.plate_angle) / pen.plate_pitch_px;
  static const PlateTable plate;
  const cv::Vec3f dung(45, 70, 95), water_tint(1.05f, 1.0f, 0.92f);
  const cv::Vec3f outside_bgr(80, 88, 92);
  cv::Mat world(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y) {
    const double wy = y + origin.y;
    cv::Vec3b* row = world.ptr<cv::Vec3b>(y);
    const float* dirt = f.dirt.ptr<float>(y);
    const float* wet = f.wet.ptr<float>(y);
    const float* grain = f.grain.ptr<float>(y);
    const float* outside = f.outside.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) {
      const double wx = x + origin.x;
      cv::Vec3f c;
      const double depth = WallDepth(pen, wx, wy);
      if (depth < 0) {
        const float w = Clamp01((wet[x] - (1.f - static_cast<float>(pen.wetness) * 0.55f)) * 5.f);
        const float relief = plate.At(wx * ca + wy * sa, -wx * sa + wy * ca) *
                             static_cast<float>(pen.relief) * (1.f - 0.7f * w);
        const double su = (wx * ca + wy * sa) * pen.plate_pitch_px / pen.seam_spacing_px;
        const bool seam = std::abs(su - std::round(su)) * pen.seam_spacing_px < 0.8;
        c = pen.floor_bgr * (1.f + relief + 0.08f * (grain[x] - 0.5f));
        c = Mix(c, dung, Clamp01(dirt[x] * 1.3f - 0.15f) * 0.85f);
        c = c.mul(Mix(cv::Vec3f(1, 1, 1), water_tint * 0.62f, w));
        if (seam) c *= 0.86f;
      } else if (depth <= pen.wall_band_px) {
        c = WallColour(pen, depth, grain[x]);
      } else {
        c = outside_bgr * (0.6f + 0.6f * outside[x]);
      }
      row[x] = cv::Vec3b(cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
                         cv::saturate_cast<uint8_t>(c[2]));
    }
  }
  DrawLitter(pen, origin, world);
  cv::Mat map_x, map_y, image;
  camera.BuildWarpMaps(origin, map_x, map_y);
  cv::remap(world, image, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return image;
}

}  // namespace pw::scenegen
