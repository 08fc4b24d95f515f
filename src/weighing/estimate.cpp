#include "weighing/estimate.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace pw::weighing {
namespace {

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

bool TouchesBorder(const cv::Rect2f& box, cv::Size frame, int margin) {
  return box.x <= margin || box.y <= margin || box.x + box.width >= frame.width - margin ||
         box.y + box.height >= frame.height - margin;
}

// The candidate's polygon filled into a mask over its own bounding rectangle (inside the frame).
struct Silhouette {
  cv::Rect rect;
  cv::Mat mask;  // CV_8U 0/1 over rect
};

Silhouette Fill(const std::vector<cv::Point>& polygon, cv::Size frame) {
  Silhouette s;
  s.rect = cv::boundingRect(polygon) & cv::Rect(0, 0, frame.width, frame.height);
  s.mask = cv::Mat::zeros(s.rect.size(), CV_8U);
  if (!s.rect.empty()) {
    cv::fillPoly(s.mask, std::vector<std::vector<cv::Point>>{polygon}, cv::Scalar(1), cv::LINE_8, 0,
                 -s.rect.tl());
  }
  return s;
}

// Share of each candidate's pixels that another candidate's polygon also covers.
std::vector<double> OverlapShares(const std::vector<infer::Instance>& instances, const std::vector<int>& candidates,
                                  cv::Size frame) {
  cv::Mat coverage = cv::Mat::zeros(frame, CV_8U);
  std::vector<Silhouette> silhouettes;
  for (int i : candidates) {
    silhouettes.push_back(Fill(instances[i].polygon, frame));
    const auto& s = silhouettes.back();
    if (!s.rect.empty()) coverage(s.rect) += s.mask;
  }
  std::vector<double> shares;
  for (const auto& s : silhouettes) {
    double own = s.rect.empty() ? 0 : cv::countNonZero(s.mask);
    double shared = own > 0 ? cv::countNonZero((coverage(s.rect) >= 2) & s.mask) : 0;
    shares.push_back(own > 0 ? shared / own : 1.0);
  }
  return shares;
}

}  // namespace

double AverageKg(double total_kg, int count) { return count >= 1 ? Round2(total_kg / count) : 0.0; }

std::optional<SharesEstimate> EstimateShares(const std::vector<infer::Instance>& instances, cv::Size frame,
                                             int count, double total_kg, const ShareOptions& options) {
  if (count < 1 || total_kg <= 0 || frame.width <= 0 || frame.height <= 0) return std::nullopt;
  std::vector<int> animals;
  for (int i = 0; i < static_cast<int>(instances.size()); ++i) {
    if (instances[i].score >= options.min_score && instances[i].polygon.size() >= 3 && instances[i].area > 0) {
      animals.push_back(i);
    }
  }
  if (animals.empty()) return std::nullopt;
  std::vector<double> areas;
  for (int i : animals) areas.push_back(instances[i].area);
  // The lower median: with few animals, a large one must not make the others look hidden.
  auto mid = areas.begin() + static_cast<std::ptrdiff_t>((areas.size() - 1) / 2);
  std::nth_element(areas.begin(), mid, areas.end());
  double median_area = *mid;

  std::vector<double> overlap = OverlapShares(instances, animals, frame);
  std::vector<int> measured;
  for (size_t k = 0; k < animals.size(); ++k) {
    const auto& inst = instances[animals[k]];
    if (TouchesBorder(inst.box, frame, options.border_margin_px)) continue;
    if (overlap[k] > options.overlap_tolerance) continue;
    if (inst.area < options.min_area_of_median * median_area) continue;
    measured.push_back(animals[k]);
  }
  if (measured.empty()) return std::nullopt;

  double sum_relative = 0;
  for (int i : measured) sum_relative += std::pow(instances[i].area, 1.5);
  double mean_relative = sum_relative / static_cast<double>(measured.size());
  int unmeasured = std::max(0, count - static_cast<int>(measured.size()));
  double kg_per_unit = total_kg / (sum_relative + unmeasured * mean_relative);

  SharesEstimate out;
  out.measured = static_cast<int>(measured.size());
  out.count = count;
  double sum = 0, sum_sq = 0;
  out.min_kg = INFINITY;
  out.max_kg = 0;
  for (int i : measured) {
    double kg = kg_per_unit * std::pow(instances[i].area, 1.5);
    out.animals.push_back({i, kg});
    sum += kg;
    sum_sq += kg * kg;
    out.min_kg = std::min(out.min_kg, kg);
    out.max_kg = std::max(out.max_kg, kg);
  }
  double n = static_cast<double>(measured.size());
  out.mean_kg = sum / n;
  double variance = std::max(0.0, sum_sq / n - out.mean_kg * out.mean_kg);
  out.cv_pct = out.mean_kg > 0 ? 100.0 * std::sqrt(variance) / out.mean_kg : 0.0;
  return out;
}

nlohmann::json ToJson(const SharesEstimate& s) {
  return {{"estimate", true},       {"n", s.measured},           {"count", s.count},
          {"mean_kg", Round2(s.mean_kg)}, {"min_kg", Round2(s.min_kg)}, {"max_kg", Round2(s.max_kg)},
          {"cv_pct", Round2(s.cv_pct)}};
}

}  // namespace pw::weighing
