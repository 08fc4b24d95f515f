#include "scenegen/truth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace pw::scenegen {
namespace {

// Rounds to `per_unit` steps (1000: three decimals); division keeps the JSON text short.
double Round(double v, double per_unit) { return std::round(v * per_unit) / per_unit; }

std::vector<std::vector<cv::Point>> MaskPolygons(const cv::Mat& ids, int id, cv::Rect bbox) {
  const cv::Rect roi = cv::Rect(bbox.x - 1, bbox.y - 1, bbox.width + 2, bbox.height + 2) &
                       cv::Rect(0, 0, ids.cols, ids.rows);
  cv::Mat mask = cv::Mat::zeros(roi.height + 2, roi.width + 2, CV_8U);  // 1-px frame: closed contours
  cv::Mat inner = mask(cv::Rect(1, 1, roi.width, roi.height));
  cv::compare(ids(roi), cv::Scalar(id), inner, cv::CMP_EQ);
  std::vector<std::vector<cv::Point>> contours, polygons;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE,
                   roi.tl() - cv::Point(1, 1));
  for (const auto& c : contours) {
    std::vector<cv::Point> poly;
    cv::approxPolyDP(c, poly, 0.6, true);
    if (poly.size() < 3) poly = c;  // keep tiny parts as they are
    polygons.push_back(std::move(poly));
  }
  std::stable_sort(polygons.begin(), polygons.end(), [](const auto& a, const auto& b) {
    return std::abs(cv::contourArea(a)) > std::abs(cv::contourArea(b));
  });
  return polygons;
}

}  // namespace

FrameTruth ExtractTruth(const cv::Mat& ids, const std::vector<Animal>& animals,
                        const std::vector<int>& full_area, double min_visible) {
  FrameTruth t;
  t.width = ids.cols;
  t.height = ids.rows;
  t.min_visible = min_visible;
  t.animals_in_pen = static_cast<int>(animals.size());
  int max_id = 0;
  for (const Animal& a : animals) {
    t.pen_weight_kg += a.weight_kg;
    max_id = std::max(max_id, a.id);
  }
  // One pass over the id map: pixel counts and bounding boxes.
  std::vector<int> area(max_id + 1, 0);
  std::vector<cv::Point> lo(max_id + 1, {std::numeric_limits<int>::max(), std::numeric_limits<int>::max()});
  std::vector<cv::Point> hi(max_id + 1, {-1, -1});
  for (int y = 0; y < ids.rows; ++y) {
    const uint16_t* row = ids.ptr<uint16_t>(y);
    for (int x = 0; x < ids.cols; ++x) {
      const int id = row[x];
      if (id == 0 || id > max_id) continue;
      ++area[id];
      lo[id].x = std::min(lo[id].x, x), lo[id].y = std::min(lo[id].y, y);
      hi[id].x = std::max(hi[id].x, x), hi[id].y = std::max(hi[id].y, y);
    }
  }
  for (size_t i = 0; i < animals.size(); ++i) {
    const Animal& a = animals[i];
    if (a.id <= 0 || area[a.id] == 0) continue;
    InstanceTruth inst;
    inst.id = a.id;
    inst.area = area[a.id];
    inst.bbox = cv::Rect(lo[a.id], hi[a.id] + cv::Point(1, 1));
    inst.full_area = std::max(full_area[i], inst.area);
    inst.visible_fraction = static_cast<double>(inst.area) / inst.full_area;
    inst.counted = inst.visible_fraction >= min_visible;
    inst.weight_kg = a.weight_kg;
    inst.length_m = a.length_m;
    inst.width_m = a.width_m;
    inst.pose = a.pose;
    inst.coat = a.coat;
    inst.polygons = MaskPolygons(ids, a.id, inst.bbox);
    t.count += inst.counted ? 1 : 0;
    t.instances.push_back(std::move(inst));
  }
  std::sort(t.instances.begin(), t.instances.end(),
            [](const InstanceTruth& a, const InstanceTruth& b) { return a.id < b.id; });
  return t;
}

nlohmann::json ToJson(const InstanceTruth& in) {
  nlohmann::json polys = nlohmann::json::array();
  for (const auto& poly : in.polygons) {
    nlohmann::json flat = nlohmann::json::array();
    for (const cv::Point& p : poly) flat.push_back(p.x), flat.push_back(p.y);
    polys.push_back(std::move(flat));
  }
  return {{"id", in.id},
          {"bbox", {in.bbox.x, in.bbox.y, in.bbox.width, in.bbox.height}},
          {"area", in.area},
          {"full_area", in.full_area},
          // Floored so that the written value never crosses the counting threshold.
          {"visible_fraction", std::floor(in.visible_fraction * 1e4) / 1e4},
          {"counted", in.counted},
          {"weight_kg", Round(in.weight_kg, 1e3)},
          {"length_m", Round(in.length_m, 1e4)},
          {"width_m", Round(in.width_m, 1e4)},
          {"pose", PoseName(in.pose)},
          {"coat", CoatName(in.coat)},
          {"polygons", std::move(polys)}};
}

nlohmann::json ToJson(const FrameTruth& t) {
  nlohmann::json instances = nlohmann::json::array();
  for (const InstanceTruth& in : t.instances) instances.push_back(ToJson(in));
  return {{"width", t.width},
          {"height", t.height},
          {"min_visible", t.min_visible},
          {"count", t.count},
          {"animals_in_pen", t.animals_in_pen},
          {"pen_weight_kg", Round(t.pen_weight_kg, 1e3)},
          {"instances", std::move(instances)}};
}

std::vector<cv::Point> MergePolygons(const std::vector<std::vector<cv::Point>>& polygons) {
  if (polygons.empty()) return {};
  std::vector<cv::Point> merged = polygons.front();
  for (size_t k = 1; k < polygons.size(); ++k) {
    const auto& next = polygons[k];
    size_t bi = 0, bj = 0;
    double best = std::numeric_limits<double>::max();
    for (size_t i = 0; i < merged.size(); ++i) {
      for (size_t j = 0; j < next.size(); ++j) {
        const cv::Point d = merged[i] - next[j];
        const double d2 = static_cast<double>(d.x) * d.x + static_cast<double>(d.y) * d.y;
        if (d2 < best) best = d2, bi = i, bj = j;
      }
    }
    // merged[0..bi], next[bj..], next[..bj], back to merged[bi..]: a zero-width bridge.
    std::vector<cv::Point> out(merged.begin(), merged.begin() + static_cast<long>(bi) + 1);
    for (size_t j = 0; j <= next.size(); ++j) out.push_back(next[(bj + j) % next.size()]);
    out.insert(out.end(), merged.begin() + static_cast<long>(bi), merged.end());
    merged = std::move(out);
  }
  return merged;
}

std::string YoloSegLabels(const FrameTruth& t, const YoloLabelOptions& options) {
  std::string out;
  char buf[64];
  for (const InstanceTruth& in : t.instances) {
    if (in.visible_fraction < options.min_visible || in.area < options.min_area_px) continue;
    // Specks (a tail tip showing between two animals) would only add long bridges: drop them.
    std::vector<std::vector<cv::Point>> parts;
    for (const auto& p : in.polygons) {
      if (parts.empty() || std::abs(cv::contourArea(p)) >= options.min_part_area_px) parts.push_back(p);
    }
    const std::vector<cv::Point> poly = MergePolygons(parts);
    if (poly.size() < 3) continue;
    out += "0";
    for (const cv::Point& p : poly) {
      std::snprintf(buf, sizeof(buf), " %.6f %.6f", std::clamp(p.x / double(t.width), 0.0, 1.0),
                    std::clamp(p.y / double(t.height), 0.0, 1.0));
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pw::scenegen
