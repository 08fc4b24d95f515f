#include "scenegen/animal.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace pw::scenegen {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSpineSteps = 32;

// Half-width along the body (fraction of the half-width at the hams), rump (0) to snout (1):
// round rump, hams, a slight waist, shoulders, neck, tapering head, flat snout.
constexpr std::array<std::array<double, 2>, 17> kProfile{{{0.00, 0.34}, {0.02, 0.66},
    {0.06, 0.88}, {0.12, 0.98}, {0.22, 1.00}, {0.34, 0.95}, {0.46, 0.90}, {0.58, 0.95},
    {0.65, 0.94}, {0.71, 0.84}, {0.76, 0.70}, {0.80, 0.64}, {0.85, 0.60}, {0.90, 0.47},
    {0.95, 0.33}, {0.985, 0.25}, {1.00, 0.21}}};

double Profile(double s, double belly, double head_size) {
  double k = 1.0;
  if (s > 0.28 && s < 0.66) k += (belly - 1.0) * std::sin(kPi * (s - 0.28) / 0.38);
  if (s > 0.72) k *= 1.0 + (head_size - 1.0) * std::min(1.0, (s - 0.72) / 0.08);
  for (size_t i = 1; i < kProfile.size(); ++i) {
    if (s <= kProfile[i][0]) {
      const double t = (s - kProfile[i - 1][0]) / (kProfile[i][0] - kProfile[i - 1][0]);
      return k * (kProfile[i - 1][1] + t * (kProfile[i][1] - kProfile[i - 1][1]));
    }
  }
  return k * kProfile.back()[1];
}

double SmoothStep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

cv::Point2d Dir(double angle) { return {std::cos(angle), std::sin(angle)}; }

struct Spine {
  std::vector<cv::Point2d> p;      // world pixels
  std::vector<double> angle;       // tangent direction
  std::vector<double> half_width;  // pixels
};

Spine BuildSpine(const Animal& a, double ppm) {
  Spine sp;
  const double len = a.length_m * ppm;
  const double lying_widen = a.pose == Pose::kLying ? 1.32 : 1.0;
  const double half = 0.5 * a.width_m * ppm * lying_widen;
  cv::Point2d p(0, 0);
  for (int i = 0; i <= kSpineSteps; ++i) {
    const double s = static_cast<double>(i) / kSpineSteps;
    const double angle = a.heading + a.bend * (std::min(s, 0.75) - 0.4) +
                         a.head_turn * SmoothStep(0.70, 0.92, s);
    if (i > 0) p += Dir(angle) * (len / kSpineSteps);
    sp.p.push_back(p);
    sp.angle.push_back(angle);
    sp.half_width.push_back(half * Profile(s, a.belly, a.head_size));
  }
  const cv::Point2d mid = sp.p[kSpineSteps * 45 / 100];
  for (cv::Point2d& q : sp.p) q += a.centre - mid;
  return sp;
}

cv::Point2d Side(const Spine& sp, int i, double side, double scale = 1.0) {
  return sp.p[i] + Dir(sp.angle[i] + side * kPi / 2) * (sp.half_width[i] * scale);
}

int Index(double s) { return std::clamp(static_cast<int>(std::lround(s * kSpineSteps)), 0, kSpineSteps); }

std::vector<cv::Point2d> Ear(const Spine& sp, double side, double droop, double size_px) {
  // A flap hinged across the top of the head behind the eyes, lying forward along the side of
  // the face; erect ears splay a little past the head outline.
  const int back = Index(0.77), front = Index(0.82), tip_at = Index(0.86);
  const cv::Point2d b0 = Side(sp, back, side, 0.95);
  const cv::Point2d b1 = Side(sp, front, side, 0.35);
  const double out = sp.angle[tip_at] + side * (0.15 + 0.45 * (1 - droop));
  const cv::Point2d tip = Side(sp, tip_at, side, 0.75 + 0.3 * (1 - droop)) + Dir(out) * size_px;
  const cv::Point2d normal = Dir(sp.angle[back] + side * kPi / 2);
  const cv::Point2d outer = (b0 + tip) * 0.5 + normal * (0.15 * size_px);
  const cv::Point2d inner = (b1 + tip) * 0.5 + normal * (0.08 * size_px);
  return {b0, outer, tip, inner, b1};
}

std::vector<cv::Point2d> Leg(const Spine& sp, double s, double side, double length_px,
                             double width_px, double splay) {
  const int i = Index(s);
  const cv::Point2d root = Side(sp, i, side, 0.7);
  const cv::Point2d dir = Dir(sp.angle[i] + side * (kPi / 2 - splay));
  const cv::Point2d across(-dir.y, dir.x);
  const cv::Point2d foot = root + dir * length_px;
  // A tapering leg with a rounded hoof end.
  return {root + across * (width_px * 0.6), foot + across * (width_px * 0.32),
          foot + dir * (width_px * 0.25) + across * (width_px * 0.15),
          foot + dir * (width_px * 0.25) - across * (width_px * 0.15),
          foot - across * (width_px * 0.32), root - across * (width_px * 0.6)};
}

}  // namespace

std::string_view PoseName(Pose pose) {
  switch (pose) {
    case Pose::kStanding: return "standing";
    case Pose::kBent: return "bent";
    case Pose::kLying: return "lying";
  }
  return "?";
}

std::string_view CoatName(Coat coat) {
  switch (coat) {
    case Coat::kPink: return "pink";
    case Coat::kWhite: return "white";
    case Coat::kBeige: return "beige";
    case Coat::kBrown: return "brown";
    case Coat::kSpotted: return "spotted";
    case Coat::kDark: return "dark";
  }
  return "?";
}

double LengthForWeight(double weight_kg, double condition) {
  return std::cbrt(weight_kg / (kMassPerCubicMetre * condition));
}

namespace {

Coat RandomCoat(Rng& rng) {
  const double c = rng.Uniform();
  return c < 0.50 ? Coat::kPink
       : c < 0.72 ? Coat::kWhite
       : c < 0.82 ? Coat::kBeige
       : c < 0.93 ? Coat::kSpotted
       : c < 0.98 ? Coat::kBrown
                  : Coat::kDark;
}

}  // namespace

HerdLook SampleHerdLook(Rng& rng) {
  HerdLook look;
  look.main_coat = RandomCoat(rng);
  if (look.main_coat == Coat::kDark) look.main_coat = Coat::kPink;
  look.odd_share = rng.Chance(0.5) ? rng.Uniform(0.0, 0.1) : rng.Uniform(0.1, 0.5);
  return look;
}

Animal SampleAnimal(Rng& rng, double mean_weight_kg, double weight_spread, const HerdLook& look) {
  Animal a;
  a.weight_kg = std::clamp(mean_weight_kg * rng.LogNormalFactor(weight_spread), 0.8, 130.0);
  a.condition = rng.NormalClamped(1.0, 0.06, 0.85, 1.15);
  a.length_m = LengthForWeight(a.weight_kg, a.condition);
  a.width_m = a.length_m * kWidthPerLength * std::sqrt(a.condition) * rng.NormalClamped(1.0, 0.04, 0.9, 1.1);
  a.belly = rng.NormalClamped(1.0 + 0.6 * (a.condition - 1.0), 0.04, 0.88, 1.15);
  a.head_size = rng.NormalClamped(a.weight_kg < 6 ? 1.08 : 1.0, 0.05, 0.88, 1.2);

  const double p = rng.Uniform();
  a.pose = p < 0.55 ? Pose::kStanding : (p < 0.88 ? Pose::kBent : Pose::kLying);
  const double side = rng.Chance(0.5) ? 1.0 : -1.0;
  switch (a.pose) {
    case Pose::kStanding:
      a.bend = rng.Normal(0, 0.08);
      a.head_turn = rng.Normal(0, 0.15);
      break;
    case Pose::kBent:
      a.bend = side * rng.Uniform(0.3, 0.9);
      a.head_turn = side * rng.Uniform(0.0, 0.6);
      break;
    case Pose::kLying:
      a.bend = side * rng.Uniform(0.0, 0.7);
      a.head_turn = side * rng.Uniform(0.0, 0.4);
      break;
  }
  a.lying_on_left = rng.Chance(0.5);

  a.coat = rng.Chance(look.odd_share) ? RandomCoat(rng) : look.main_coat;
  cv::Vec3f rgb;
  switch (a.coat) {
    case Coat::kPink: rgb = {232, 184, 172}; break;
    case Coat::kWhite: rgb = {232, 218, 208}; break;
    case Coat::kBeige: rgb = {224, 202, 182}; break;
    case Coat::kSpotted: rgb = {230, 190, 178}; break;
    case Coat::kBrown: rgb = {150, 98, 75}; break;
    case Coat::kDark: rgb = {70, 62, 62}; break;
  }
  const double lum = rng.Normal(1.0, 0.05);
  for (int k = 0; k < 3; ++k) {
    rgb[k] = static_cast<float>(std::clamp(rgb[k] * lum + rng.Normal(0, 4), 20.0, 250.0));
  }
  a.skin_bgr = cv::Vec3f(rgb[2], rgb[1], rgb[0]);
  a.pattern_seed = rng.Next();
  return a;
}

AnimalShape BuildShape(const Animal& a, double ppm) {
  const Spine sp = BuildSpine(a, ppm);
  AnimalShape shape;
  const double len = a.length_m * ppm;
  // Outline: left side rump->snout, rounded snout, right side snout->rump, rounded rump.
  for (int i = 0; i <= kSpineSteps; ++i) shape.body.push_back(Side(sp, i, -1));
  shape.body.push_back(sp.p.back() + Dir(sp.angle.back()) * (0.012 * len));
  for (int i = kSpineSteps; i >= 0; --i) shape.body.push_back(Side(sp, i, +1));
  shape.body.push_back(sp.p.front() - Dir(sp.angle.front()) * (0.02 * len));
  const int snout_from = Index(0.955);
  for (int i = snout_from; i <= kSpineSteps; ++i) shape.snout.push_back(Side(sp, i, -1, 0.96));
  shape.snout.push_back(sp.p.back() + Dir(sp.angle.back()) * (0.008 * len));
  for (int i = kSpineSteps; i >= snout_from; --i) shape.snout.push_back(Side(sp, i, +1, 0.96));
  const int crease_at = Index(0.74);
  shape.neck = {Side(sp, crease_at, -1, 0.8), sp.p[static_cast<size_t>(crease_at)] -
                Dir(sp.angle[static_cast<size_t>(crease_at)]) * (0.015 * len), Side(sp, crease_at, +1, 0.8)};
  const int eye_at = Index(0.885);
  shape.eyes = {Side(sp, eye_at, -1, 0.62), Side(sp, eye_at, +1, 0.62)};
  shape.eye_radius_px = std::max(0.6, 0.011 * len);

  Rng rng(a.pattern_seed);
  const double droop = rng.Uniform(0.35, 1.0);
  const double ear_px = len * rng.Uniform(0.09, 0.13);
  shape.ears.push_back(Ear(sp, -1, droop, ear_px));
  shape.ears.push_back(Ear(sp, +1, droop, ear_px));

  if (a.pose == Pose::kLying) {
    const double side = a.lying_on_left ? 1.0 : -1.0;
    const double leg_len = len * 0.16, leg_w = len * 0.07;
    shape.legs.push_back(Leg(sp, 0.20, side, leg_len, leg_w, rng.Uniform(-0.5, 0.2)));
    shape.legs.push_back(Leg(sp, 0.28, side, leg_len * 0.9, leg_w, rng.Uniform(-0.3, 0.4)));
    shape.legs.push_back(Leg(sp, 0.60, side, leg_len * 0.9, leg_w, rng.Uniform(-0.2, 0.5)));
    shape.legs.push_back(Leg(sp, 0.67, side, leg_len * 0.85, leg_w, rng.Uniform(0.0, 0.7)));
  }

  // Tail: a short curl behind the rump.
  const double curl = (rng.Chance(0.5) ? 1 : -1) * rng.Uniform(0.6, 1.6);
  cv::Point2d t = sp.p.front() - Dir(sp.angle.front()) * (0.015 * len);
  double angle = sp.angle.front() + kPi + rng.Normal(0, 0.4);
  const double tail_len = len * rng.Uniform(0.06, 0.10);
  shape.tail.push_back(t);
  for (int i = 0; i < 6; ++i) {
    angle += curl / 6 * (i + 1) * 0.4;
    t += Dir(angle) * (tail_len / 6);
    shape.tail.push_back(t);
  }
  shape.tail_width_px = std::max(1.0, 0.014 * len);

  shape.spine = sp.p;
  shape.half_width_px = sp.half_width;
  return shape;
}

std::vector<Circle> FootprintCircles(const Animal& a, double ppm) {
  const Spine sp = BuildSpine(a, ppm);
  std::vector<Circle> circles;
  for (double s : {0.1, 0.28, 0.46, 0.64, 0.82, 0.94}) {
    const int i = Index(s);
    circles.push_back({sp.p[i], sp.half_width[i] * 0.95});
  }
  return circles;
}

}  // namespace pw::scenegen
