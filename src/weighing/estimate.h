// Weighing arithmetic: the average weight, and the per-animal weight estimate from mask areas.
//
// The average is exact (total / count, rounded to 2 decimals for display and the journal). The
// per-animal figures are estimates and are always labelled so: a pig's mass grows roughly with
// its top-view area to the power 1.5 (area ∝ length², mass ∝ length³), so each measurable animal
// gets wᵢ ∝ areaᵢ^1.5, scaled so that the whole pen (the measurable animals plus the others at
// the measurable ones' mean) adds up to the scale's total. Only animals seen whole count as
// measurable: not cut by the image border, their mask not overlapping another's, and not much
// smaller than the typical animal (a mostly hidden one).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "infer/instance.h"

namespace pw::weighing {

// total / count rounded to 0.01 kg (count must be >= 1).
double AverageKg(double total_kg, int count);

struct AnimalEstimate {
  int index = 0;   // into the instances given
  double kg = 0;
};

struct SharesEstimate {
  int measured = 0;          // animals the estimate is based on
  int count = 0;             // the pen's count it was scaled to
  double mean_kg = 0, min_kg = 0, max_kg = 0;
  double cv_pct = 0;         // uniformity: coefficient of variation of the measured animals, %
  std::vector<AnimalEstimate> animals;
};

struct ShareOptions {
  float min_score = 0.5f;          // instances below are not animals for this purpose
  int border_margin_px = 2;        // a box this close to the frame edge is cut by it
  double overlap_tolerance = 0.1;  // share of an animal's mask that may overlap others
  double min_area_of_median = 0.5; // smaller masks are probably mostly hidden
};

// nullopt when no animal is measurable (or count < 1, total <= 0).
std::optional<SharesEstimate> EstimateShares(const std::vector<infer::Instance>& instances, cv::Size frame,
                                             int count, double total_kg, const ShareOptions& options = {});

// {"estimate":true,"n":..,"count":..,"mean_kg":..,"min_kg":..,"max_kg":..,"cv_pct":..} (2 decimals).
nlohmann::json ToJson(const SharesEstimate& shares);

}  // namespace pw::weighing
