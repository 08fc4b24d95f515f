// Animal: one piglet or grower seen from above — its body measurements, weight, coat and pose,
// and the outline that follows from them.
//
// Weight and size are linked the way they are on a farm: mass = kMassPerCubicMetre * length^3 *
// condition, where `condition` (about 0.85..1.15) is the animal's individual build. Lengths are
// snout-to-rump; widths are across the hams.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "scenegen/rng.h"

namespace pw::scenegen {

// kg per m^3 of length^3: a 100 kg pig is about 1.15 m long, a 1.5 kg piglet about 0.28 m.
inline constexpr double kMassPerCubicMetre = 65.7;
// Typical width across the hams as a share of the length (fatter animals are a little wider).
inline constexpr double kWidthPerLength = 0.335;

enum class Pose { kStanding, kBent, kLying };
enum class Coat { kPink, kWhite, kBeige, kBrown, kSpotted, kDark };

std::string_view PoseName(Pose pose);
std::string_view CoatName(Coat coat);

struct Animal {
  int id = 0;             // stable id (per scene, or per video sequence)
  double weight_kg = 10;
  double condition = 1;   // individual build factor in the weight formula
  double length_m = 0.5;
  double width_m = 0.14;  // across the hams
  double belly = 1;       // body shape: width of the middle relative to the hams
  double head_size = 1;   // head width relative to the body (young piglets have big heads)
  Pose pose = Pose::kStanding;
  double bend = 0;        // spine curvature, radians from rump to shoulders (sign: side)
  double head_turn = 0;   // radians
  bool lying_on_left = true;
  Coat coat = Coat::kPink;
  cv::Vec3f skin_bgr{170, 185, 235};
  uint64_t pattern_seed = 0;  // spots, dirt, ear shape
  // Placement (world pixels / radians); pixels_per_metre converts sizes.
  cv::Point2d centre{0, 0};
  double heading = 0;     // direction rump -> snout
  double depth = 0;       // draw order: larger is drawn later (on top)
};

// What a group looks like: most animals share the group's coat, a few differ.
struct HerdLook {
  Coat main_coat = Coat::kPink;
  double odd_share = 0.1;  // chance that an animal has a random coat instead
};
HerdLook SampleHerdLook(Rng& rng);

// Samples an animal around `mean_weight_kg` (the group's average); placement left at zero.
Animal SampleAnimal(Rng& rng, double mean_weight_kg, double weight_spread, const HerdLook& look);

// Length that the weight formula gives: (weight / (k * condition))^(1/3).
double LengthForWeight(double weight_kg, double condition);

// The outline of an animal in world pixels.
struct AnimalShape {
  std::vector<cv::Point2d> body;                   // closed outline, rump -> snout -> rump
  std::vector<std::vector<cv::Point2d>> ears;      // closed, drawn over the head
  std::vector<std::vector<cv::Point2d>> legs;      // closed, drawn under the body (lying only)
  std::vector<cv::Point2d> tail;                   // polyline
  std::vector<cv::Point2d> snout;                  // closed, inside the body outline
  std::vector<cv::Point2d> neck;                   // crease polyline across the neck
  std::vector<cv::Point2d> eyes;                   // centres, inside the body outline
  double eye_radius_px = 1;
  double tail_width_px = 1;
  std::vector<cv::Point2d> spine;                  // rump -> snout, for shading and packing
  std::vector<double> half_width_px;               // per spine point
};

AnimalShape BuildShape(const Animal& animal, double pixels_per_metre);

// A few circles covering the body (world pixels), used to pack animals.
struct Circle {
  cv::Point2d c;
  double r;
};
std::vector<Circle> FootprintCircles(const Animal& animal, double pixels_per_metre);

}  // namespace pw::scenegen
