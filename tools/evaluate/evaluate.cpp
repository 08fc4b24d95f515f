#include "evaluate/evaluate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include <opencv2/imgproc.hpp>

#include "infer/engine.h"
#include "scenegen/dataset.h"

namespace pw::evaluate {
namespace {

const char* BandOf(int count) { return count <= 20 ? "0-20" : count <= 50 ? "21-50" : "51-80"; }

// IoU of a predicted mask (over its rect) with the truth mask (full frame, 0/255).
double MaskIoU(const infer::Instance& p, const cv::Mat& truth, int truth_area) {
  if (p.mask.empty()) return 0;
  cv::Rect r = p.mask_rect & cv::Rect(0, 0, truth.cols, truth.rows);
  if (r.empty()) return 0;
  cv::Mat pred = p.mask(cv::Rect(r.x - p.mask_rect.x, r.y - p.mask_rect.y, r.width, r.height));
  cv::Mat both;
  cv::bitwise_and(pred, truth(r), both);
  double inter = cv::countNonZero(both);
  double uni = cv::countNonZero(p.mask) + truth_area - inter;
  return uni > 0 ? inter / uni : 0;
}

// Average precision from (score, true positive) pairs over `positives` truth instances.
double AveragePrecision(std::vector<std::pair<float, bool>> preds, int positives) {
  if (positives == 0) return preds.empty() ? 1.0 : 0.0;
  std::sort(preds.begin(), preds.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<double> precision, recall;
  int tp = 0, fp = 0;
  for (const auto& [score, hit] : preds) {
    (hit ? tp : fp)++;
    precision.push_back(static_cast<double>(tp) / (tp + fp));
    recall.push_back(static_cast<double>(tp) / positives);
  }
  for (int i = static_cast<int>(precision.size()) - 2; i >= 0; --i) precision[i] = std::max(precision[i], precision[i + 1]);
  double ap = 0, last_recall = 0;
  for (std::size_t i = 0; i < precision.size(); ++i) {
    ap += (recall[i] - last_recall) * precision[i];
    last_recall = recall[i];
  }
  return ap;
}

}  // namespace

nlohmann::json EvalReport::ToJson() const {
  nlohmann::json b = nlohmann::json::object();
  for (const auto& [name, band] : bands) {
    b[name] = {{"scenes", band.scenes},
               {"exact_rate", band.scenes ? static_cast<double>(band.exact) / band.scenes : 0.0},
               {"count_mae", band.scenes ? band.abs_error / band.scenes : 0.0}};
  }
  return {{"scenes", scenes},
          {"exact_rate", scenes ? static_cast<double>(exact) / scenes : 0.0},
          {"bands", b},
          {"mask_ap50", mask_ap50},
          {"mean_iou", mean_iou},
          {"ms_per_frame", ms_per_frame}};
}

core::Result<EvalReport> EvaluateOnScenes(const EvalOptions& o) {
  infer::EngineOptions eo;
  eo.model_path = o.model;
  eo.cache_dir = o.cache_dir;
  eo.workers = 1;
  eo.postprocess.conf_threshold = o.conf_threshold;
  eo.postprocess.iou_threshold = o.iou_threshold;
  eo.postprocess.keep_masks = true;
  infer::Engine engine(eo);
  engine.Preload();
  if (engine.WaitUntilSettled(std::chrono::minutes(5)) != infer::EngineState::kReady) {
    return core::Status::Unavailable(engine.Snapshot().reason);
  }
  EvalReport report;
  std::vector<std::pair<float, bool>> scored;
  int positives = 0;
  double iou_sum = 0, time_sum = 0;
  int matched = 0;
  for (int i = 0; i < o.scenes; ++i) {
    scenegen::StillResult still = scenegen::GenerateStill(o.seed + static_cast<std::uint64_t>(i), o.scene, o.min_visible);
    infer::InferRequest req;
    req.frame = still.rendered.image;
    req.priority = infer::Priority::kBackground;
    infer::InferResult result = engine.Submit(req).get();
    if (!result.status.ok()) return result.status;
    time_sum += result.pre_ms + result.forward_ms + result.post_ms;

    const int truth_count = still.truth.count;
    const int predicted = static_cast<int>(result.instances.size());
    Band& band = report.bands[BandOf(truth_count)];
    band.scenes++;
    band.abs_error += std::abs(predicted - truth_count);
    if (predicted == truth_count) {
      band.exact++;
      report.exact++;
    }
    report.scenes++;

    // Greedy matching by score; predictions on animals below the count rule are ignored.
    std::vector<cv::Mat> masks;
    std::vector<int> areas;
    for (const auto& t : still.truth.instances) {
      masks.push_back(still.rendered.ids == t.id);
      areas.push_back(t.area);
      if (t.counted) positives++;
    }
    std::vector<bool> taken(still.truth.instances.size(), false);
    std::vector<std::size_t> order(result.instances.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return result.instances[a].score > result.instances[b].score; });
    for (std::size_t k : order) {
      const auto& p = result.instances[k];
      double best = 0;
      std::size_t best_j = 0;
      for (std::size_t j = 0; j < masks.size(); ++j) {
        if (taken[j] || !still.truth.instances[j].bbox.contains(cv::Point(p.box.x + p.box.width / 2, p.box.y + p.box.height / 2))) continue;
        double iou = MaskIoU(p, masks[j], areas[j]);
        if (iou > best) best = iou, best_j = j;
      }
      if (best < 0.5) {
        scored.emplace_back(p.score, false);
        continue;
      }
      taken[best_j] = true;
      if (!still.truth.instances[best_j].counted) continue;  // neither right nor wrong
      scored.emplace_back(p.score, true);
      iou_sum += best;
      matched++;
    }
  }
  report.mask_ap50 = AveragePrecision(std::move(scored), positives);
  report.mean_iou = matched ? iou_sum / matched : 0;
  report.ms_per_frame = report.scenes ? time_sum / report.scenes : 0;
  return report;
}

}  // namespace pw::evaluate
