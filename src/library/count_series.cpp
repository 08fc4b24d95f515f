#include "library/count_series.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace pw::library {

std::optional<size_t> NearestSample(const std::vector<IndexSample>& samples, double t) {
  if (samples.empty()) return std::nullopt;
  auto it = std::lower_bound(samples.begin(), samples.end(), t,
                             [](const IndexSample& s, double v) { return s.t < v; });
  if (it == samples.end()) return samples.size() - 1;
  size_t i = static_cast<size_t>(it - samples.begin());
  if (i > 0 && t - samples[i - 1].t <= samples[i].t - t) return i - 1;
  return i;
}

nlohmann::json BucketCounts(const std::vector<IndexSample>& samples, double from, double to, int points) {
  points = std::max(1, points);
  double width = (to - from) / points;
  nlohmann::json t = nlohmann::json::array(), mins = nlohmann::json::array(), maxs = nlohmann::json::array(),
                 modes = nlohmann::json::array(), ns = nlohmann::json::array();
  auto it = std::lower_bound(samples.begin(), samples.end(), from,
                             [](const IndexSample& s, double v) { return s.t < v; });
  for (int b = 0; b < points; ++b) {
    double start = from + b * width;
    double end = b + 1 == points ? to : start + width;
    std::map<int, int> histogram;
    int lo = 0, hi = 0, n = 0;
    for (; it != samples.end() && it->t < end; ++it) {
      lo = n ? std::min(lo, it->count) : it->count;
      hi = n ? std::max(hi, it->count) : it->count;
      ++histogram[it->count];
      ++n;
    }
    t.push_back(std::round(start * 1000) / 1000);
    ns.push_back(n);
    if (n == 0) {
      mins.push_back(nullptr);
      maxs.push_back(nullptr);
      modes.push_back(nullptr);
      continue;
    }
    auto mode = std::max_element(histogram.begin(), histogram.end(),
                                 [](const auto& x, const auto& y) { return x.second < y.second; });
    mins.push_back(lo);
    maxs.push_back(hi);
    modes.push_back(mode->first);
  }
  return {{"from", from}, {"to", to}, {"points", points}, {"bucket_s", width}, {"t", std::move(t)},
          {"min", std::move(mins)}, {"max", std::move(maxs)}, {"mode", std::move(modes)}, {"n", std::move(ns)}};
}

std::vector<Moment> FindMoments(const std::vector<IndexSample>& samples, double min_seconds, double max_gap) {
  std::vector<Moment> out;
  size_t i = 0;
  while (i < samples.size()) {
    if (!samples[i].stable) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < samples.size() && samples[j].stable && samples[j].count == samples[i].count &&
           samples[j].t - samples[j - 1].t <= max_gap) {
      ++j;
    }
    double start = samples[i].t, end = samples[j - 1].t;
    if (end - start >= min_seconds) {
      double confidence = 0;
      for (size_t k = i; k < j; ++k) confidence += samples[k].confidence;
      out.push_back({start, end, samples[i].count, samples[i + (j - i) / 2].t, confidence / static_cast<double>(j - i)});
    }
    i = j;
  }
  return out;
}

nlohmann::json ToJson(const Moment& m) {
  return {{"start", m.start}, {"end", m.end}, {"count", m.count}, {"t", m.t},
          {"confidence", std::round(m.confidence * 1000) / 1000}};
}

}  // namespace pw::library
