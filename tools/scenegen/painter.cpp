#include "scenegen/painter.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "scenegen/noise_field.h"
#include "scenegen/rng.h"

namespace pw::scenegen {
namespace {

constexpr int kShift = 3;  // sub-pixel bits for polygon rasterisation
constexpr double kScale = 1 << kShift;

enum Part : uint8_t { kNone = 0, kLeg = 1, kBody = 2, kEar = 3, kTail = 4, kSnout = 5, kEye = 6, kCrease = 7 };

// An animal's outline projected into the image, rasterised on a small local canvas.
struct Local {
  cv::Rect rect;   // canvas position in image pixels
  cv::Mat parts;   // 8U Part codes
  cv::Mat body;    // 8U 255 inside the body outline only (for shading)
  std::vector<std::vector<cv::Point>> ears;  // fixed-point, canvas coordinates
};

std::vector<cv::Point2d> ProjectAll(const std::vector<cv::Point2d>& pts, const Camera& cam) {
  std::vector<cv::Point2d> out;
  out.reserve(pts.size());
  for (const cv::Point2d& p : pts) out.push_back(cam.Project(p));
  return out;
}

std::vector<cv::Point> ToFixed(const std::vector<cv::Point2d>& pts, cv::Point origin) {
  std::vector<cv::Point> out;
  out.reserve(pts.size());
  for (const cv::Point2d& p : pts) {
    out.emplace_back(static_cast<int>(std::lround((p.x - origin.x) * kScale)),
                     static_cast<int>(std::lround((p.y - origin.y) * kScale)));
  }
  return out;
}

Local Rasterise(const AnimalShape& shape, const Camera& cam, int margin) {
  const std::vector<cv::Point2d> body = ProjectAll(shape.body, cam);
  const std::vector<cv::Point2d> tail = ProjectAll(shape.tail, cam);
  std::vector<std::vector<cv::Point2d>> ears, legs;
  for (const auto& e : shape.ears) ears.push_back(ProjectAll(e, cam));
  for (const auto& l : shape.legs) legs.push_back(ProjectAll(l, cam));

  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  auto grow = [&](const std::vector<cv::Point2d>& pts) {
    for (const cv::Point2d& p : pts) {
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    }
  };
  grow(body), grow(tail);
  for (const auto& e : ears) grow(e);
  for (const auto& l : legs) grow(l);
  const int pad = margin + static_cast<int>(std::ceil(shape.tail_width_px)) + 2;
  const cv::Point origin(static_cast<int>(std::floor(x0)) - pad, static_cast<int>(std::floor(y0)) - pad);
  Local local;
  local.rect = cv::Rect(origin.x, origin.y, static_cast<int>(std::ceil(x1)) + pad - origin.x + 1,
                        static_cast<int>(std::ceil(y1)) + pad - origin.y + 1);
  local.parts = cv::Mat::zeros(local.rect.size(), CV_8U);
  local.body = cv::Mat::zeros(local.rect.size(), CV_8U);

  std::vector<std::vector<cv::Point>> fixed_legs;
  for (const auto& l : legs) fixed_legs.push_back(ToFixed(l, origin));
  if (!fixed_legs.empty()) cv::fillPoly(local.parts, fixed_legs, cv::Scalar(kLeg), cv::LINE_8, kShift);
  const std::vector<std::vector<cv::Point>> fixed_body{ToFixed(body, origin)};
  cv::fillPoly(local.parts, fixed_body, cv::Scalar(kBody), cv::LINE_8, kShift);
  cv::fillPoly(local.body, fixed_body, cv::Scalar(255), cv::LINE_8, kShift);
  const int tail_thickness = std::max(1, static_cast<int>(std::lround(shape.tail_width_px)));
  const std::vector<std::vector<cv::Point>> fixed_tail{ToFixed(tail, origin)};
  cv::polylines(local.parts, fixed_tail, false, cv::Scalar(kTail), tail_thickness,
                cv::LINE_8, kShift);
  // Snout and eyes only recolour the body (the silhouette is unchanged).
  cv::Mat detail = cv::Mat::zeros(local.parts.size(), CV_8U);
  const std::vector<std::vector<cv::Point>> fixed_snout{ToFixed(ProjectAll(shape.snout, cam), origin)};
  cv::fillPoly(detail, fixed_snout, cv::Scalar(kSnout), cv::LINE_8, kShift);
  for (const cv::Point2d& eye : ProjectAll(shape.eyes, cam)) {
    const cv::Point c = ToFixed({eye}, origin).front();
    cv::circle(detail, c, static_cast<int>(shape.eye_radius_px * kScale), cv::Scalar(kEye), cv::FILLED,
               cv::LINE_8, kShift);
  }
  const std::vector<std::vector<cv::Point>> fixed_neck{ToFixed(ProjectAll(shape.neck, cam), origin)};
  const double neck_len = cv::norm(shape.neck.front() - shape.neck.back());
  cv::polylines(detail, fixed_neck, false, cv::Scalar(kCrease),
                std::max(1, static_cast<int>(std::lround(0.05 * neck_len))), cv::LINE_8, kShift);
  cv::Mat on_body = local.parts == kBody;
  detail.copyTo(local.parts, on_body & (detail > 0));
  for (const auto& e : ears) local.ears.push_back(ToFixed(e, origin));
  cv::fillPoly(local.parts, local.ears, cv::Scalar(kEar), cv::LINE_8, kShift);
  return local;
}

int ShadowMargin(const AnimalShape& shape, const Lighting& shadow) {
  const double len = cv::norm(shape.spine.back() - shape.spine.front());
  return static_cast<int>(std::ceil(shadow.length * len)) + 6;
}

// Darkens the image under the animal's cast shadow (a blurred, shifted copy of its silhouette).
void CastShadow(const Local& local, const Lighting& shadow, double len_px, cv::Mat& image) {
  if (shadow.darkness <= 0.f) return;
  const cv::Point shift(static_cast<int>(std::lround(shadow.direction.x * shadow.length * len_px)),
                        static_cast<int>(std::lround(shadow.direction.y * shadow.length * len_px)));
  cv::Mat sil = cv::Mat::zeros(local.parts.size(), CV_32F);
  cv::Mat mask = local.parts > 0;
  const cv::Rect src(std::max(0, -shift.x), std::max(0, -shift.y),
                     mask.cols - std::abs(shift.x), mask.rows - std::abs(shift.y));
  const cv::Rect dst(std::max(0, shift.x), std::max(0, shift.y), src.width, src.height);
  if (src.width <= 0 || src.height <= 0) return;
  mask(src).convertTo(sil(dst), CV_32F, 1.0 / 255);
  cv::GaussianBlur(sil, sil, cv::Size(0, 0), 1.2 + 0.03 * len_px);
  const cv::Rect clip = local.rect & cv::Rect(0, 0, image.cols, image.rows);
  for (int y = clip.y; y < clip.br().y; ++y) {
    cv::Vec3b* row = image.ptr<cv::Vec3b>(y);
    const float* s = sil.ptr<float>(y - local.rect.y);
    for (int x = clip.x; x < clip.br().x; ++x) {
      const float k = 1.f - shadow.darkness * s[x - local.rect.x];
      cv::Vec3b& p = row[x];
      p = cv::Vec3b(static_cast<uint8_t>(p[0] * k), static_cast<uint8_t>(p[1] * k),
                    static_cast<uint8_t>(p[2] * k));
    }
  }
}

// Spots (spotted coats) and dung smudges, as 8U masks on the local canvas.
void PaintPatterns(const Animal& a, const Local& local, double len_px, Rng& rng, cv::Mat& spots,
                   cv::Mat& dirt) {
  spots = cv::Mat::zeros(local.parts.size(), CV_8U);
  dirt = cv::Mat::zeros(local.parts.size(), CV_8U);
  cv::Rect box = cv::boundingRect(local.body);
  if (box.empty()) return;
  auto random_point = [&] {
    return cv::Point(box.x + rng.Int(0, box.width - 1), box.y + rng.Int(0, box.height - 1));
  };
  if (a.coat == Coat::kSpotted) {
    // Irregular patches: clusters of overlapping blobs, partly see-through at the rims.
    const int n = rng.Int(1, 3);
    for (int i = 0; i < n; ++i) {
      const cv::Point centre = random_point();
      const double size = len_px * rng.Uniform(0.05, 0.14);
      for (int k = rng.Int(3, 6); k > 0; --k) {
        const cv::Point offset(static_cast<int>(rng.Normal(0, size * 0.6)),
                               static_cast<int>(rng.Normal(0, size * 0.6)));
        const cv::Size axes(std::max(1, static_cast<int>(size * rng.Uniform(0.4, 1.0))),
                            std::max(1, static_cast<int>(size * rng.Uniform(0.3, 0.7))));
        cv::ellipse(spots, centre + offset, axes, rng.Uniform(0, 180), 0, 360,
                    cv::Scalar(rng.Uniform(150, 230)), cv::FILLED);
      }
    }
    cv::GaussianBlur(spots, spots, cv::Size(0, 0), 0.8 + 0.012 * len_px);
  }
  if (rng.Chance(0.35)) {
    const int n = rng.Int(1, 3);
    for (int i = 0; i < n; ++i) {
      const cv::Size axes(std::max(1, static_cast<int>(len_px * rng.Uniform(0.03, 0.12))),
                          std::max(1, static_cast<int>(len_px * rng.Uniform(0.02, 0.07))));
      cv::ellipse(dirt, random_point(), axes, rng.Uniform(0, 180), 0, 360,
                  cv::Scalar(rng.Uniform(60, 200)), cv::FILLED);
    }
    cv::GaussianBlur(dirt, dirt, cv::Size(0, 0), 1.0 + 0.02 * len_px);
  }
}

cv::Vec3b ToPixel(const cv::Vec3f& c) {
  return {cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
          cv::saturate_cast<uint8_t>(c[2])};
}

}  // namespace

int PaintAnimal(const Animal& a, const AnimalShape& shape, const Camera& camera,
                const Lighting& light, cv::Mat& image, cv::Mat& ids) {
  const Local local = Rasterise(shape, camera, ShadowMargin(shape, light));
  const double len_px = cv::norm(shape.spine.back() - shape.spine.front());
  CastShadow(local, light, len_px, image);

  Rng rng(a.pattern_seed ^ 0x5eedULL);
  cv::Mat spots, dirt, dist;
  PaintPatterns(a, local, len_px, rng, spots, dirt);
  cv::distanceTransform(local.body, dist, cv::DIST_L2, 3);
  const cv::Mat mottle = SmoothNoise(rng, local.parts.size(), std::max(3.0, len_px * 0.12));
  cv::Mat ear_edges = cv::Mat::zeros(local.parts.size(), CV_8U);
  cv::polylines(ear_edges, local.ears, true, cv::Scalar(255), 1, cv::LINE_8, kShift);

  double radius = 1;
  for (double w : shape.half_width_px) radius = std::max(radius, w);
  radius *= 0.9;
  const cv::Vec3f spot_bgr(66, 62, 68), dung_bgr(40, 70, 95);
  const cv::Vec3f ear_tint(0.95f, 0.93f, 1.0f);

  // Lambert shading of a rounded back: the surface normal tilts toward the outline.
  auto dome = [&](int y, int x) {
    const double h = std::min(1.0, dist.at<float>(y, x) / radius);
    const double nz = std::sqrt(1.0 - (1.0 - h) * (1.0 - h));
    const double nz4 = nz * nz * nz * nz;
    return static_cast<float>(0.5 + 0.58 * nz + light.sheen * nz4 * nz4 * nz4);
  };
  const cv::Rect clip = local.rect & cv::Rect(0, 0, image.cols, image.rows);
  int area = 0;
  for (int y = 0; y < local.parts.rows; ++y) {
    const uint8_t* part = local.parts.ptr<uint8_t>(y);
    const int iy = y + local.rect.y;
    const bool row_in = iy >= clip.y && iy < clip.br().y;
    for (int x = 0; x < local.parts.cols; ++x) {
      if (part[x] == kNone) continue;
      ++area;
      const int ix = x + local.rect.x;
      if (!row_in || ix < clip.x || ix >= clip.br().x) continue;
      const float sp = spots.at<uint8_t>(y, x) / 255.f;
      cv::Vec3f c = a.skin_bgr * (1.f - sp) + spot_bgr * sp;
      c *= 0.93f + 0.14f * mottle.at<float>(y, x);
      const float d = dirt.at<uint8_t>(y, x) / 255.f;
      c = c * (1.f - 0.7f * d) + dung_bgr * (0.7f * d);
      float shade = 1.f;
      switch (part[x]) {
        case kBody: shade = dome(y, x); break;
        case kEar:
          c = c.mul(ear_tint);
          shade = ear_edges.at<uint8_t>(y, x) ? 0.8f : 0.95f;
          break;
        case kSnout: c = c.mul(cv::Vec3f(0.86f, 0.84f, 0.97f)); shade = 0.86f; break;
        case kEye: shade = 0.45f; break;
        case kCrease: shade = 0.96f * dome(y, x); break;
        case kLeg: shade = 0.8f; break;
        case kTail: shade = 0.75f; break;
        default: break;
      }
      image.at<cv::Vec3b>(iy, ix) = ToPixel(c * shade);
      ids.at<uint16_t>(iy, ix) = static_cast<uint16_t>(a.id);
    }
  }
  return area;
}

cv::Mat SilhouetteMask(const AnimalShape& shape, const Camera& camera) {
  const Local local = Rasterise(shape, camera, 0);
  cv::Mat mask = cv::Mat::zeros(camera.height, camera.width, CV_8U);
  const cv::Rect clip = local.rect & cv::Rect(0, 0, camera.width, camera.height);
  if (clip.empty()) return mask;
  const cv::Mat src = local.parts(clip - local.rect.tl()) > 0;
  src.copyTo(mask(clip));
  return mask;
}

}  // namespace pw::scenegen
