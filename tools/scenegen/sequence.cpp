#include "scenegen/sequence.h"

#include <algorithm>
#include <cmath>

#include "scenegen/layout.h"

namespace pw::scenegen {
namespace {

constexpr double kPi = 3.14159265358979323846;

cv::Point2d Bezier(const Trip& trip, double u) {
  return trip.from * ((1 - u) * (1 - u)) + trip.via * (2 * u * (1 - u)) + trip.to * (u * u);
}

double TangentAngle(const Trip& trip, double u) {
  const cv::Point2d d = (trip.via - trip.from) * (2 * (1 - u)) + (trip.to - trip.via) * (2 * u);
  return std::atan2(d.y, d.x);
}

double LerpAngle(double a, double b, double t) {
  double d = std::remainder(b - a, 2 * kPi);
  return a + d * t;
}

// A point just outside the picture on the gate side, within the middle of that side.
cv::Point2d GatePoint(Rng& rng, const Pen& pen, const Camera& cam, double margin) {
  const cv::Rect2d v = cam.VisibleWorld();
  const double along = rng.Uniform(0.3, 0.7);
  switch (pen.gate_side) {
    case kLeft: return {v.x - margin, v.y + along * v.height};
    case kRight: return {v.br().x + margin, v.y + along * v.height};
    case kTop: return {v.x + along * v.width, v.y - margin};
    default: return {v.x + along * v.width, v.br().y + margin};
  }
}

Trip MakeTrip(Rng& rng, cv::Point2d from, cv::Point2d to, double start, double speed_px,
              double max_duration) {
  Trip trip;
  trip.from = from;
  trip.to = to;
  const cv::Point2d d = to - from;
  const cv::Point2d normal(-d.y, d.x);
  trip.via = (from + to) * 0.5 + normal * rng.Uniform(-0.25, 0.25);
  trip.start = start;
  trip.duration = std::min(max_duration, std::max(0.3, cv::norm(d) * 1.1 / speed_px));
  return trip;
}

// Poses an animal walking along `trip` at fraction u, arriving with heading `end_heading`.
void Walk(const Trip& trip, double u, double t, double end_heading, bool arriving, Animal& a) {
  const double ease = u * u * (3 - 2 * u) * 0.3 + u * 0.7;
  a.centre = Bezier(trip, ease);
  double heading = TangentAngle(trip, ease);
  if (arriving && u > 0.8) heading = LerpAngle(heading, end_heading, (u - 0.8) / 0.2);
  a.heading = heading;
  a.pose = Pose::kStanding;
  a.bend = 0.12 * std::sin(2 * kPi * 1.6 * t + a.id);
  a.head_turn = 0.1 * std::sin(2 * kPi * 0.7 * t + a.id);
  a.depth += 2.0;  // a walking animal pushes over the others
}

}  // namespace

Sequence SampleSequence(uint64_t seed, const SceneOptions& options, double seconds) {
  Sequence seq;
  seq.seconds = seconds;
  SceneSpec& spec = seq.scene;
  spec = SampleScene(seed, options);
  // Re-sample the pen so that the gate side opens out of the picture, and re-place the herd.
  Rng rng(seed ^ 0x5e9e7ce5ULL);
  const double ppm = spec.pixels_per_metre;
  spec.pen = SamplePen(rng, spec.camera, true);
  SetPenScale(spec.pen, ppm);
  PlaceAnimals(rng, spec.pen, ppm, LayoutOptions{}, spec.animals);
  spec.photo.jpeg_quality = 0;

  // Entry order: those that go deepest into the pen come first.
  const int n = static_cast<int>(spec.animals.size());
  const cv::Point2d gate_centre = GatePoint(rng, spec.pen, spec.camera, 0);
  std::vector<double> distance;
  for (const Animal& a : spec.animals) distance.push_back(cv::norm(a.centre - gate_centre));
  std::vector<int> rank(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const bool before = distance[static_cast<size_t>(j)] > distance[static_cast<size_t>(i)] ||
                          (distance[static_cast<size_t>(j)] == distance[static_cast<size_t>(i)] && j < i);
      rank[static_cast<size_t>(i)] += before ? 1 : 0;
    }
  }
  for (int i = 0; i < n; ++i) {
    AnimalScript s;
    s.rest = spec.animals[static_cast<size_t>(i)];
    const double speed = rng.Uniform(0.5, 1.1) * ppm;
    const double margin = s.rest.length_m * ppm;
    const double t_in = seconds * 0.4 * (n > 1 ? static_cast<double>(rank[static_cast<size_t>(i)]) / (n - 1) : 0.0) *
                        rng.Uniform(0.85, 1.0);
    // Short sequences hurry: every walk fits in a quarter of the sequence, and the last animal
    // is gone before the end.
    const double max_walk = 0.25 * seconds;
    s.enter = MakeTrip(rng, GatePoint(rng, spec.pen, spec.camera, margin), s.rest.centre, t_in,
                       speed, max_walk);
    s.leave = MakeTrip(rng, s.rest.centre, GatePoint(rng, spec.pen, spec.camera, margin), 0, speed,
                       max_walk);
    s.leave.start = rng.Uniform(0.62 * seconds, std::max(0.62 * seconds, 0.97 * seconds - s.leave.duration));
    s.leave.start = std::max(s.leave.start, s.enter.start + s.enter.duration + 0.03 * seconds);
    s.sway_phase = rng.Uniform(0, 2 * kPi);
    seq.scripts.push_back(s);
  }
  return seq;
}

std::vector<Animal> AnimalsAt(const Sequence& seq, double t) {
  std::vector<Animal> out;
  for (const AnimalScript& s : seq.scripts) {
    if (t < s.enter.start || t >= s.leave.start + s.leave.duration) continue;
    Animal a = s.rest;
    const double arrived = s.enter.start + s.enter.duration;
    if (t < arrived) {
      Walk(s.enter, (t - s.enter.start) / s.enter.duration, t, s.rest.heading, true, a);
    } else if (t >= s.leave.start) {
      Walk(s.leave, (t - s.leave.start) / s.leave.duration, t, 0, false, a);
    } else {
      // Settled: drift a little, turn the head; lying animals lie down a second after arriving.
      const double len = a.length_m * seq.scene.pixels_per_metre;
      const double ph = s.sway_phase;
      a.centre += cv::Point2d(std::sin(0.9 * t + ph), std::cos(0.7 * t + 2 * ph)) * (0.03 * len);
      a.heading += 0.05 * std::sin(0.5 * t + ph);
      a.head_turn += 0.3 * std::sin(0.8 * t + 3 * ph);
      if (a.pose == Pose::kLying && t < arrived + 1.0) a.pose = Pose::kStanding;
    }
    out.push_back(a);
  }
  return out;
}

Photo PhotoAt(const Sequence& seq, int index, double t) {
  Photo p = seq.scene.photo;
  p.exposure *= 1.0 + 0.04 * std::sin(2 * kPi * t / 23.0);
  p.noise_seed = MixSeed(p.noise_seed + static_cast<uint64_t>(index));
  p.jpeg_quality = 0;
  return p;
}

}  // namespace pw::scenegen
