// Sequence: a deterministic video of a weighing — animals walk into the pen through the gate at
// staggered times, settle in packed places (shifting, turning their heads, some lying down), and
// later walk out again. Ids are stable for the whole sequence.
//
// SampleSequence(seed) fixes the pen, camera, herd, each animal's timetable and path; AnimalsAt(t)
// poses the herd at any time t (seconds), so frames can be rendered in any order.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "scenegen/scene.h"

namespace pw::scenegen {

struct Trip {
  double start = 0;     // seconds
  double duration = 1;  // seconds
  cv::Point2d from, via, to;  // quadratic Bezier, world pixels
};

struct AnimalScript {
  Animal rest;          // the settled pose (centre, heading, pose)
  Trip enter, leave;
  double sway_phase = 0;
};

struct Sequence {
  SceneSpec scene;      // pen, camera, photo; scene.animals are the settled poses
  double seconds = 10;
  std::vector<AnimalScript> scripts;  // same order as scene.animals
};

Sequence SampleSequence(uint64_t seed, const SceneOptions& options, double seconds);

// The animals in the pen at time t (entered and not yet gone), posed.
std::vector<Animal> AnimalsAt(const Sequence& sequence, double t);

// Lighting and sensor noise for frame `index` (slow exposure drift, fresh noise, no JPEG).
Photo PhotoAt(const Sequence& sequence, int index, double t);

}  // namespace pw::scenegen
