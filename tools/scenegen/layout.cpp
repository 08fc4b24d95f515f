#include "scenegen/layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pw::scenegen {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Placed {
  std::vector<Circle> circles;
  cv::Point2d centre;
  double reach = 0;  // bounding radius
};

Placed Footprint(const Animal& a, double ppm) {
  Placed p;
  p.circles = FootprintCircles(a, ppm);
  p.centre = a.centre;
  for (const Circle& c : p.circles) p.reach = std::max(p.reach, cv::norm(c.c - a.centre) + c.r);
  return p;
}

// Sum of squared penetrations (fraction of the smaller radius) against placed animals, plus the
// worst single penetration.
std::pair<double, double> Overlap(const Placed& cand, const std::vector<Placed>& placed) {
  double sum = 0, worst = 0;
  for (const Placed& o : placed) {
    if (cv::norm(o.centre - cand.centre) > o.reach + cand.reach) continue;
    for (const Circle& a : cand.circles) {
      for (const Circle& b : o.circles) {
        const double pen = (a.r + b.r - cv::norm(a.c - b.c)) / std::min(a.r, b.r);
        if (pen > 0) sum += pen * pen, worst = std::max(worst, pen);
      }
    }
  }
  return {sum, worst};
}

// How far the body pokes through the pen's walls, in pixels (0 when inside).
double Outside(const Placed& cand, const cv::Rect2d& inner) {
  double out = 0;
  for (const Circle& c : cand.circles) {
    out += std::max(0.0, inner.x - (c.c.x - c.r)) + std::max(0.0, (c.c.x + c.r) - inner.br().x) +
           std::max(0.0, inner.y - (c.c.y - c.r)) + std::max(0.0, (c.c.y + c.r) - inner.br().y);
  }
  return out;
}

double WallDistance(cv::Point2d p, const cv::Rect2d& r) {
  return std::min({p.x - r.x, r.br().x - p.x, p.y - r.y, r.br().y - p.y});
}

// A candidate pose: along a wall, beside an already placed animal, or anywhere.
void Propose(Rng& rng, const Pen& pen, double ppm, const LayoutOptions& opt,
             const std::vector<Animal>& done, Animal& a) {
  const cv::Rect2d& r = pen.inner;
  const double half_w = 0.5 * a.width_m * ppm;
  const double mode = rng.Uniform();
  if (mode < opt.wall_affinity) {
    // Most lie or stand along the wall; some face it (nose to the wall), a few stand one
    // row further in.
    const int side = rng.Int(0, 3);
    const bool facing = rng.Chance(0.2);
    const double half_len = 0.5 * a.length_m * ppm;
    const double d = (facing ? half_len * rng.Uniform(0.9, 1.05) : half_w * rng.Uniform(0.9, 1.3)) +
                     (rng.Chance(0.3) ? rng.Uniform(0, 2.5) * 2 * half_w : 0);
    const double flip = rng.Chance(0.5) ? 0 : kPi;
    // Heading that points into the wall on each side.
    const double into_wall[4] = {kPi, -kPi / 2, 0, kPi / 2};
    if (side == kLeft || side == kRight) {
      a.centre = {side == kLeft ? r.x + d : r.br().x - d, rng.Uniform(r.y, r.br().y)};
      a.heading = facing ? into_wall[side] : kPi / 2 + flip;
    } else {
      a.centre = {rng.Uniform(r.x, r.br().x), side == kTop ? r.y + d : r.br().y - d};
      a.heading = facing ? into_wall[side] : flip;
    }
    a.heading += rng.Normal(0, 0.15);
  } else if (mode < opt.wall_affinity + 0.3 && !done.empty()) {
    const Animal& n = done[static_cast<size_t>(rng.Int(0, static_cast<int>(done.size()) - 1))];
    const double side = rng.Chance(0.5) ? 1 : -1;
    const cv::Point2d across(-std::sin(n.heading), std::cos(n.heading));
    const cv::Point2d along(std::cos(n.heading), std::sin(n.heading));
    const double gap = 0.5 * (n.width_m + a.width_m) * ppm * rng.Uniform(0.85, 1.15);
    a.centre = n.centre + across * (side * gap) + along * (rng.Normal(0, 0.25) * a.length_m * ppm);
    a.heading = n.heading + (rng.Chance(0.3) ? kPi : 0) + rng.Normal(0, 0.25);
  } else {
    a.centre = {rng.Uniform(r.x, r.br().x), rng.Uniform(r.y, r.br().y)};
    a.heading = rng.Uniform(0, 2 * kPi);
  }
}

}  // namespace

void PlaceAnimals(Rng& rng, const Pen& pen, double ppm, const LayoutOptions& opt,
                  std::vector<Animal>& animals) {
  // Largest first: they are the hardest to fit.
  std::vector<size_t> order(animals.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return animals[a].length_m > animals[b].length_m; });
  std::vector<Placed> placed;
  std::vector<Animal> done;
  const double diag = std::hypot(pen.inner.width, pen.inner.height);
  for (size_t idx : order) {
    Animal& a = animals[idx];
    Animal best = a;
    double best_score = 1e18;
    for (int k = 0; k < opt.candidates; ++k) {
      Animal cand = a;
      Propose(rng, pen, ppm, opt, done, cand);
      const Placed fp = Footprint(cand, ppm);
      const auto [sum, worst] = Overlap(fp, placed);
      const double outside = Outside(fp, pen.inner);
      const double wall = std::max(0.0, WallDistance(cand.centre, pen.inner)) / diag;
      const double score = sum + 4.0 * std::max(0.0, worst - opt.max_overlap) +
                           outside / (0.1 * a.width_m * ppm) + 0.5 * wall;
      if (score < best_score) best_score = score, best = cand;
    }
    a.centre = best.centre;
    a.heading = best.heading;
    placed.push_back(Footprint(a, ppm));
    done.push_back(a);
  }
  for (Animal& a : animals) a.depth = rng.Uniform() - (a.pose == Pose::kLying ? 1.0 : 0.0);
}

}  // namespace pw::scenegen
