#include "scenegen/scene.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "scenegen/layout.h"

namespace pw::scenegen {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Typical group: mostly piglets (2-25 kg), sometimes growers (30-100 kg).
double SampleMeanWeight(Rng& rng) {
  if (rng.Chance(0.75)) return std::exp(rng.Uniform(std::log(1.5), std::log(28.0)));
  return std::exp(rng.Uniform(std::log(30.0), std::log(100.0)));
}

// Pixels per metre such that the pen holds the group at a plausible crowding.
double SampleScale(Rng& rng, const Pen& pen, const std::vector<Animal>& animals, double mean_weight) {
  const double mean_len = LengthForWeight(mean_weight, 1.0);
  const double footprint = mean_len * mean_len * kWidthPerLength * 0.8;  // m^2 seen from above
  const double crowding = rng.Uniform(0.4, 0.82);
  const double capacity = rng.Uniform(12, 40);  // a small group does not fill the pen
  const double n = static_cast<double>(animals.size());
  const double area_m2 = std::max(n * footprint / crowding, capacity * footprint);
  return std::sqrt(pen.inner.area() / area_m2);
}

}  // namespace

SceneSpec SampleScene(uint64_t seed, const SceneOptions& options) {
  SceneSpec spec;
  spec.seed = seed;
  Rng rng(seed);
  Rng cam_rng = rng.Fork(1), pen_rng = rng.Fork(2), herd_rng = rng.Fork(3), layout_rng = rng.Fork(4),
      photo_rng = rng.Fork(5);
  spec.camera.width = options.width;
  spec.camera.height = options.height;
  spec.camera.barrel = cam_rng.Uniform(0.0, 0.18);
  spec.camera.tilt = cam_rng.Chance(0.6) ? cam_rng.Uniform(-0.25, 0.25) : 0.0;
  spec.pen = SamplePen(pen_rng, spec.camera, false);

  const int lo = std::max(0, options.min_animals);
  const int hi = std::max(lo, options.max_animals);
  const int n = options.count >= 0 ? options.count : herd_rng.Int(lo, hi);
  spec.mean_weight_kg = SampleMeanWeight(herd_rng);
  const double spread = herd_rng.Uniform(0.06, 0.25);
  const HerdLook look = SampleHerdLook(herd_rng);
  for (int i = 0; i < n; ++i) {
    spec.animals.push_back(SampleAnimal(herd_rng, spec.mean_weight_kg, spread, look));
    spec.animals.back().id = i + 1;
  }
  spec.pixels_per_metre = SampleScale(herd_rng, spec.pen, spec.animals, spec.mean_weight_kg);
  SetPenScale(spec.pen, spec.pixels_per_metre);

  LayoutOptions layout;
  layout.wall_affinity = layout_rng.Uniform(0.3, 0.8);
  layout.max_overlap = layout_rng.Uniform(0.15, 0.45);
  PlaceAnimals(layout_rng, spec.pen, spec.pixels_per_metre, layout, spec.animals);

  spec.photo = SamplePhoto(photo_rng);
  const double sun = photo_rng.Uniform(0, 2 * kPi);
  spec.lighting.direction = {std::cos(sun), std::sin(sun)};
  spec.lighting.length = photo_rng.Uniform(0.0, 0.08);
  spec.lighting.darkness = static_cast<float>(photo_rng.Uniform(0.15, 0.5));
  spec.lighting.sheen = static_cast<float>(photo_rng.Chance(0.5) ? photo_rng.Uniform(0.0, 0.25) : 0.0);
  return spec;
}

RenderedScene RenderAnimals(const cv::Mat& background, const Camera& camera, double ppm,
                            const std::vector<Animal>& animals, const Lighting& lighting,
                            const Photo& photo) {
  RenderedScene out;
  out.image = background.clone();
  out.ids = cv::Mat::zeros(camera.height, camera.width, CV_16U);
  out.full_area.assign(animals.size(), 0);
  std::vector<size_t> order(animals.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return animals[a].depth < animals[b].depth; });
  for (size_t i : order) {
    const AnimalShape shape = BuildShape(animals[i], ppm);
    out.full_area[i] = PaintAnimal(animals[i], shape, camera, lighting, out.image, out.ids);
  }
  ApplyPhoto(photo, out.image);
  return out;
}

RenderedScene RenderScene(const SceneSpec& spec) {
  const cv::Mat background = RenderPenBackground(spec.pen, spec.camera);
  return RenderAnimals(background, spec.camera, spec.pixels_per_metre, spec.animals, spec.lighting,
                       spec.photo);
}

}  // namespace pw::scenegen
