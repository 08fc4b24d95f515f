// Layout: where the animals stand in the pen — packed densely, mostly along the walls and side
// by side, touching and sometimes overlapping (a head over a neighbour's back), never outside
// the pen's walls.
//
// Thread-safety: pure function; determinism comes from the caller's Rng.
#pragma once

#include <vector>

#include "scenegen/animal.h"
#include "scenegen/pen.h"
#include "scenegen/rng.h"

namespace pw::scenegen {

struct LayoutOptions {
  double wall_affinity = 0.6;   // share of animals that try the walls first
  double max_overlap = 0.45;    // allowed penetration of body circles, fraction of radius
  int candidates = 36;          // tries per animal (the best one is kept)
};

// Sets centre, heading and depth of every animal. Every animal gets a place: when the pen is
// too full, the least-overlapping candidate is used.
void PlaceAnimals(Rng& rng, const Pen& pen, double pixels_per_metre, const LayoutOptions& options,
                  std::vector<Animal>& animals);

}  // namespace pw::scenegen
