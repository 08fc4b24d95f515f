#include "infer/postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <opencv2/imgproc.hpp>

namespace pw::infer {
namespace {

struct Candidate {
  int anchor;
  int class_id;
  float score;
  cv::Rect2f box;  // input pixels, x1,y1 + w,h
};

std::vector<Candidate> Decode(const cv::Mat& out0, int num_classes, const PostprocessOptions& o) {
  const int anchors = out0.size[2];
  const float* p = out0.ptr<float>();
  std::vector<Candidate> cands;
  for (int a = 0; a < anchors; ++a) {
    int best = 0;
    float score = p[4 * anchors + a];
    for (int c = 1; c < num_classes; ++c) {
      const float s = p[(4 + c) * anchors + a];
      if (s > score) score = s, best = c;
    }
    if (score < o.conf_threshold) continue;
    if (!o.class_ids.empty() && std::find(o.class_ids.begin(), o.class_ids.end(), best) == o.class_ids.end()) continue;
    const float cx = p[a], cy = p[anchors + a], w = p[2 * anchors + a], h = p[3 * anchors + a];
    cands.push_back({a, best, score, cv::Rect2f(cx - w / 2, cy - h / 2, w, h)});
  }
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  if (static_cast<int>(cands.size()) > o.max_candidates) cands.resize(static_cast<size_t>(o.max_candidates));
  return cands;
}

cv::Rect2f BoxToFrame(const cv::Rect2f& b, const Letterbox& lb) {
  const cv::Point2d tl = lb.ToFrame({b.x, b.y}), br = lb.ToFrame({b.x + b.width, b.y + b.height});
  const auto cx = [&](double v) { return static_cast<float>(std::clamp(v, 0.0, double(lb.frame.width))); };
  const auto cy = [&](double v) { return static_cast<float>(std::clamp(v, 0.0, double(lb.frame.height))); };
  return cv::Rect2f(cv::Point2f(cx(tl.x), cy(tl.y)), cv::Point2f(cx(br.x), cy(br.y)));
}

// sigmoid(coeffs · protos) over `roi` (prototype pixels), zero outside the box's [x1,x2)x[y1,y2)
// at prototype resolution (Ultralytics' crop_mask).
cv::Mat CroppedProbabilities(const cv::Mat& protos, const float* coeffs, int coeff_stride,
                             const cv::Rect& roi, const cv::Rect2f& proto_box) {
  const int nm = protos.size[1], ph = protos.size[2], pw = protos.size[3];
  cv::Mat logits(roi.size(), CV_32F, cv::Scalar(0));
  for (int k = 0; k < nm; ++k) {  // plane by plane: contiguous rows, vectorised by OpenCV
    const cv::Mat plane(ph, pw, CV_32F, const_cast<float*>(protos.ptr<float>(0, k)));
    cv::scaleAdd(plane(roi), coeffs[static_cast<ptrdiff_t>(k) * coeff_stride], logits, logits);
  }
  cv::Mat prob(roi.size(), CV_32F, cv::Scalar(0));
  for (int y = roi.y; y < roi.br().y; ++y) {
    if (y < proto_box.y || y >= proto_box.br().y) continue;
    const float* l = logits.ptr<float>(y - roi.y);
    float* p = prob.ptr<float>(y - roi.y);
    for (int x = roi.x; x < roi.br().x; ++x) {
      if (x >= proto_box.x && x < proto_box.br().x) p[x - roi.x] = 1.f / (1.f + std::exp(-l[x - roi.x]));
    }
  }
  return prob;
}

// Mask of one instance over its frame box (see header for the formula). Sampled every 1/s frame
// pixels: s = 1 for frame resolution, s = letterbox scale (< 1) for input resolution.
void BuildMask(const cv::Mat& protos, const float* coeffs, int coeff_stride, const Candidate& c,
               const Letterbox& lb, const PostprocessOptions& o, Instance* inst) {
  const double ratio = static_cast<double>(lb.input.width) / protos.size[3];  // 4
  inst->mask_rect = cv::Rect(cv::Point(static_cast<int>(std::floor(inst->box.x)), static_cast<int>(std::floor(inst->box.y))),
                             cv::Point(static_cast<int>(std::ceil(inst->box.br().x)), static_cast<int>(std::ceil(inst->box.br().y)))) &
                    cv::Rect(cv::Point(0, 0), lb.frame);
  if (inst->mask_rect.empty()) return;
  const cv::Rect2f proto_box(c.box.x / ratio, c.box.y / ratio, c.box.width / ratio, c.box.height / ratio);
  // Prototype pixels that can influence the box (1 px margin for bilinear sampling).
  const cv::Rect roi = cv::Rect(cv::Point(static_cast<int>(std::floor(proto_box.x)) - 1, static_cast<int>(std::floor(proto_box.y)) - 1),
                                cv::Point(static_cast<int>(std::ceil(proto_box.br().x)) + 2, static_cast<int>(std::ceil(proto_box.br().y)) + 2)) &
                       cv::Rect(0, 0, protos.size[3], protos.size[2]);
  if (roi.empty()) return;
  const cv::Mat prob = CroppedProbabilities(protos, coeffs, coeff_stride, roi, proto_box);
  const double s = (o.retina_masks || lb.scale >= 1.0) ? 1.0 : lb.scale;
  const cv::Size grid(std::max(1, static_cast<int>(std::lround(inst->mask_rect.width * s))),
                      std::max(1, static_cast<int>(std::lround(inst->mask_rect.height * s))));
  const double sx = static_cast<double>(grid.width) / inst->mask_rect.width;  // samples per frame px
  const double sy = static_cast<double>(grid.height) / inst->mask_rect.height;
  // Sample centre (u + .5) / sx frame px → input px (· scale + pad) → prototype pixel coordinate.
  const double bx = ((inst->mask_rect.x + 0.5 / sx) * lb.scale + lb.pad_x) / ratio - 0.5 - roi.x;
  const double by = ((inst->mask_rect.y + 0.5 / sy) * lb.scale + lb.pad_y) / ratio - 0.5 - roi.y;
  cv::Mat sampled, mask;
  cv::warpAffine(prob, sampled, cv::Matx23d(lb.scale / (sx * ratio), 0, bx, 0, lb.scale / (sy * ratio), by), grid,
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::compare(sampled, 0.5, mask, cv::CMP_GT);
  inst->area = cv::countNonZero(mask) / (sx * sy);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  if (!contours.empty()) {
    const auto largest = std::max_element(contours.begin(), contours.end(), [](const auto& x, const auto& y) {
      return cv::contourArea(x) < cv::contourArea(y);
    });
    std::vector<cv::Point> simplified;
    cv::approxPolyDP(*largest, simplified, o.polygon_epsilon * s, /*closed=*/true);
    for (const auto& p : simplified) {  // grid cell centre → frame pixel, kept inside the mask rect
      const int x = static_cast<int>(std::lround(inst->mask_rect.x + (p.x + 0.5) / sx - 0.5));
      const int y = static_cast<int>(std::lround(inst->mask_rect.y + (p.y + 0.5) / sy - 0.5));
      inst->polygon.emplace_back(std::clamp(x, inst->mask_rect.x, inst->mask_rect.br().x - 1),
                                 std::clamp(y, inst->mask_rect.y, inst->mask_rect.br().y - 1));
    }
  }
  if (o.keep_masks) {
    if (grid == inst->mask_rect.size()) {
      inst->mask = mask;
    } else {
      cv::resize(mask, inst->mask, inst->mask_rect.size(), 0, 0, cv::INTER_NEAREST);
    }
  }
}

}  // namespace

std::vector<int> GreedyNms(const std::vector<cv::Rect2f>& boxes, const std::vector<int>& classes,
                           float iou_threshold, int max_keep) {
  std::vector<int> keep;
  std::vector<bool> removed(boxes.size(), false);
  for (size_t i = 0; i < boxes.size() && static_cast<int>(keep.size()) < max_keep; ++i) {
    if (removed[i]) continue;
    keep.push_back(static_cast<int>(i));
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      if (removed[j] || classes[j] != classes[i]) continue;
      const float inter = (boxes[i] & boxes[j]).area();
      const float uni = boxes[i].area() + boxes[j].area() - inter;
      if (uni > 0 && inter / uni > iou_threshold) removed[j] = true;
    }
  }
  return keep;
}

std::vector<Instance> Postprocess(const std::vector<cv::Mat>& outputs, int num_classes,
                                  const Letterbox& letterbox, const PostprocessOptions& options) {
  std::vector<Instance> result;
  if (outputs.empty() || outputs[0].dims != 3) return result;
  const cv::Mat& out0 = outputs[0];
  const auto cands = Decode(out0, num_classes, options);
  std::vector<cv::Rect2f> boxes;
  std::vector<int> classes;
  for (const auto& c : cands) boxes.push_back(c.box), classes.push_back(c.class_id);
  const bool segment = outputs.size() > 1 && outputs[1].dims == 4;
  const int anchors = out0.size[2];
  for (int k : GreedyNms(boxes, classes, options.iou_threshold, options.max_detections)) {
    const Candidate& c = cands[static_cast<size_t>(k)];
    Instance inst;
    inst.box = BoxToFrame(c.box, letterbox);
    inst.score = c.score;
    inst.class_id = c.class_id;
    inst.area = inst.box.area();
    if (segment) {
      const float* coeffs = out0.ptr<float>() + static_cast<size_t>(4 + num_classes) * anchors + c.anchor;
      BuildMask(outputs[1], coeffs, anchors, c, letterbox, options, &inst);
    }
    result.push_back(std::move(inst));
  }
  return result;
}

nlohmann::json ToJson(const Instance& inst) {
  nlohmann::json poly = nlohmann::json::array();
  for (const auto& p : inst.polygon) poly.push_back({p.x, p.y});
  return {{"box", {inst.box.x, inst.box.y, inst.box.width, inst.box.height}},
          {"score", inst.score},
          {"class_id", inst.class_id},
          {"area", inst.area},
          {"polygon", poly}};
}

}  // namespace pw::infer
