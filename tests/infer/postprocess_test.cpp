// Pre/post-processing against the Ultralytics input tensor and a straightforward reference
// implementation of the same formulas (full-resolution masks, naive NMS), on a real model output.
#include "infer/postprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "infer/preprocess.h"
#include "infer/test_models.h"
#include "support/test_support.h"

namespace pw::infer {
namespace {

using test::DataFile;

TEST(InferPreprocessTest, LetterboxBlobMatchesUltralyticsInputTensor) {
  const cv::Mat frame = cv::imread(DataFile("input_640_0.jpg").string());
  ASSERT_FALSE(frame.empty());
  auto blob = MakeInputBlob(frame, {640, 640}, nullptr);
  ASSERT_TRUE(blob.ok());
  // The reference was decoded by another JPEG decoder: equal up to decoder noise (~1.4 levels).
  const auto ref = test::ReadFloats(DataFile("input_640_b1.f32"));
  ASSERT_EQ(blob->total(), ref.size());
  double sum = 0;
  for (size_t i = 0; i < ref.size(); ++i) sum += std::abs(blob->ptr<float>()[i] - ref[i]);
  EXPECT_LE(sum / ref.size(), 2.5 / 255);
}

TEST(InferPreprocessTest, LetterboxCentresWideFrameOnGrey114) {
  const cv::Mat frame(1080, 1920, CV_8UC3, cv::Scalar(0, 0, 255));  // red in BGR
  Letterbox lb;
  auto blob = MakeInputBlob(frame, {640, 640}, &lb);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(lb.pad_x, 0);
  EXPECT_EQ(lb.pad_y, 140);
  EXPECT_EQ(lb.Content(), cv::Size(640, 360));
  const float* r = blob->ptr<float>(0, 0);  // channel 0 is R after BGR→RGB
  EXPECT_NEAR(r[0], 114.f / 255, 1e-6);             // padding row 0
  EXPECT_NEAR(r[320 * 640 + 320], 1.f, 1e-6);       // centre: red
  EXPECT_NEAR(lb.ToFrame({320, 140}).y, 0.0, 1e-9);
}

TEST(InferPreprocessTest, RejectsEmptyOrGreyFrames) {
  EXPECT_FALSE(MakeInputBlob(cv::Mat(), {640, 640}, nullptr).ok());
  EXPECT_FALSE(MakeInputBlob(cv::Mat(10, 10, CV_8UC1), {640, 640}, nullptr).ok());
}

// ---- reference implementation: the formulas written the obvious way ----

struct RefInstance {
  cv::Rect2f box;  // frame px
  float score;
  cv::Mat mask;    // frame-sized 0/255
};

float Iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float ix = std::max(0.f, std::min(a.br().x, b.br().x) - std::max(a.x, b.x));
  const float iy = std::max(0.f, std::min(a.br().y, b.br().y) - std::max(a.y, b.y));
  return ix * iy / (a.area() + b.area() - ix * iy);
}

std::vector<RefInstance> ReferencePostprocess(const std::vector<cv::Mat>& outs, const Letterbox& lb,
                                              float conf, float iou) {
  const int A = outs[0].size[2], ph = outs[1].size[2], pw = outs[1].size[3];
  const float* p = outs[0].ptr<float>();
  std::vector<int> order;
  for (int a = 0; a < A; ++a) {
    if (p[4 * A + a] >= conf) order.push_back(a);
  }
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return p[4 * A + x] > p[4 * A + y]; });
  auto input_box = [&](int a) {
    return cv::Rect2f(p[a] - p[2 * A + a] / 2, p[A + a] - p[3 * A + a] / 2, p[2 * A + a], p[3 * A + a]);
  };
  std::vector<int> kept;
  for (int a : order) {
    bool suppressed = false;
    for (int k : kept) suppressed = suppressed || Iou(input_box(a), input_box(k)) > iou;
    if (!suppressed) kept.push_back(a);
  }
  cv::Mat protos(32, ph * pw, CV_32F, const_cast<float*>(outs[1].ptr<float>()));
  std::vector<RefInstance> result;
  for (int a : kept) {
    const cv::Rect2f b = input_box(a);
    RefInstance r;
    const cv::Point2d tl = lb.ToFrame({b.x, b.y}), br = lb.ToFrame({b.br().x, b.br().y});
    const float fx1 = std::clamp<float>(tl.x, 0, lb.frame.width), fy1 = std::clamp<float>(tl.y, 0, lb.frame.height);
    const float fx2 = std::clamp<float>(br.x, 0, lb.frame.width), fy2 = std::clamp<float>(br.y, 0, lb.frame.height);
    r.box = cv::Rect2f(fx1, fy1, fx2 - fx1, fy2 - fy1);
    r.score = p[4 * A + a];
    cv::Mat coeffs(1, 32, CV_32F);
    for (int k = 0; k < 32; ++k) coeffs.at<float>(k) = p[(5 + k) * A + a];
    cv::Mat logits = coeffs * protos, prob;
    cv::exp(-logits, prob);
    prob = 1.0 / (1.0 + prob);
    prob = prob.reshape(1, ph);
    for (int y = 0; y < ph; ++y) {
      for (int x = 0; x < pw; ++x) {
        if (x < b.x / 4 || x >= b.br().x / 4 || y < b.y / 4 || y >= b.br().y / 4) prob.at<float>(y, x) = 0;
      }
    }
    cv::Mat up, frame_prob;
    cv::resize(prob, up, lb.input, 0, 0, cv::INTER_LINEAR);
    cv::resize(up(cv::Rect(cv::Point(lb.pad_x, lb.pad_y), lb.Content())), frame_prob, lb.frame, 0, 0, cv::INTER_LINEAR);
    cv::Mat inside(lb.frame, CV_8U, cv::Scalar(0));
    inside(cv::Rect(cv::Point(int(std::floor(fx1)), int(std::floor(fy1))), cv::Point(int(std::ceil(fx2)), int(std::ceil(fy2))))) = 255;
    r.mask = (frame_prob > 0.5) & inside;
    result.push_back(r);
  }
  return result;
}

// The YOLO11n-seg fixture's outputs for the fixture image (PyTorch's reference tensors: no forward
// needed), post-processed as if they came from a 960x540 frame letterboxed into 640x640 — the
// frame mapping is part of what is under test.
class InferPostprocessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    frame_ = cv::Mat(540, 960, CV_8UC3, cv::Scalar::all(0));
    letterbox_ = ComputeLetterbox(frame_.size(), {640, 640});
    const std::string prefix = "yolo11n-seg-pig_640_opdef_static";
    for (auto [suffix, shape] : {std::pair<std::string, std::vector<int>>{".ref_b1_0.f32", {1, 37, 8400}},
                                 {".ref_b1_1.f32", {1, 32, 160, 160}}}) {
      const auto v = test::ReadFloats(DataFile(prefix + suffix));
      cv::Mat m(shape, CV_32F);
      ASSERT_EQ(m.total(), v.size());
      std::copy(v.begin(), v.end(), m.ptr<float>());
      outputs_.push_back(m);
    }
  }

  static inline cv::Mat frame_;
  static inline Letterbox letterbox_;
  static inline std::vector<cv::Mat> outputs_;
};

// The random-weight fixture scores anchors about 0.003-0.012, and its masks are either empty or
// fill the whole box: a low threshold keeps many instances, with full-box masks.
constexpr float kConf = 0.0029f, kIou = 0.5f;

// Compares Postprocess with the reference on `outputs`; returns how many masks were non-empty.
int ExpectMatchesReference(const std::vector<cv::Mat>& outputs, const Letterbox& lb,
                           const cv::Mat& frame, bool frame_resolution = true, double min_iou = 0.98) {
  PostprocessOptions o;
  o.conf_threshold = kConf, o.iou_threshold = kIou, o.keep_masks = true;
  o.retina_masks = frame_resolution;
  const auto mine = Postprocess(outputs, 1, lb, o);
  const auto ref = ReferencePostprocess(outputs, lb, kConf, kIou);
  EXPECT_GE(ref.size(), 3u);
  EXPECT_EQ(mine.size(), ref.size());
  if (mine.size() != ref.size()) return 0;
  int nonempty = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(mine[i].score, ref[i].score, 1e-6);
    EXPECT_NEAR(mine[i].box.x, ref[i].box.x, 1.0);
    EXPECT_NEAR(mine[i].box.y, ref[i].box.y, 1.0);
    EXPECT_NEAR(mine[i].box.br().x, ref[i].box.br().x, 1.0);
    EXPECT_NEAR(mine[i].box.br().y, ref[i].box.br().y, 1.0);
    cv::Mat canvas(frame.size(), CV_8U, cv::Scalar(0));
    if (!mine[i].mask.empty()) mine[i].mask.copyTo(canvas(mine[i].mask_rect));
    const double inter = cv::countNonZero(canvas & ref[i].mask);
    const double uni = cv::countNonZero(canvas | ref[i].mask);
    if (frame_resolution) {
      EXPECT_EQ(mine[i].area, cv::countNonZero(canvas));
    }
    EXPECT_NEAR(mine[i].area, cv::countNonZero(ref[i].mask), 0.05 * uni + 50);
    if (uni == 0) continue;
    ++nonempty;
    EXPECT_GE(inter / uni, min_iou) << "mask " << i;
    EXPECT_GE(mine[i].polygon.size(), 3u);
    for (const auto& pt : mine[i].polygon) EXPECT_TRUE(mine[i].mask_rect.contains(pt));
  }
  return nonempty;
}

TEST_F(InferPostprocessTest, SegmentationMatchesReferenceFormula) {
  ASSERT_EQ(outputs_.size(), 2u);
  EXPECT_GT(ExpectMatchesReference(outputs_, letterbox_, frame_), 0);
}

// The fixture's random weights give masks that fill the box; smooth synthetic prototypes and
// per-anchor coefficients (with the model's real boxes and scores) give irregular shapes.
std::vector<cv::Mat> StructuredOutputs(const std::vector<cv::Mat>& real, float frequency = 0.05f) {
  std::vector<cv::Mat> outs = {real[0].clone(), real[1].clone()};
  const int A = outs[0].size[2];
  float* p0 = outs[0].ptr<float>();
  for (int k = 0; k < 32; ++k) {
    for (int a = 0; a < A; ++a) p0[(5 + k) * A + a] = 3.f * std::sin(0.37f * a + 1.3f * k);
    float* pk = outs[1].ptr<float>(0, k);
    for (int y = 0; y < 160; ++y) {
      for (int x = 0; x < 160; ++x) pk[y * 160 + x] = std::sin(frequency * (k % 8 + 1) * x + k) * std::cos(0.8f * frequency * (k % 7 + 1) * y);
    }
  }
  return outs;
}

TEST_F(InferPostprocessTest, SegmentationMatchesReferenceOnStructuredPrototypes) {
  EXPECT_GE(ExpectMatchesReference(StructuredOutputs(outputs_), letterbox_, frame_), 3);
}

// The default samples masks per input pixel (1.5 frame px here): on smooth, blob-like masks (what
// animals give) nearly the same masks as the per-frame-pixel formula, for a fraction of the work.
TEST_F(InferPostprocessTest, InputResolutionMasksStayCloseToTheFrameResolutionFormula) {
  std::vector<cv::Mat> outs = StructuredOutputs(outputs_, 0.015f);
  // IoU is bounded by the 1.5 px cells on these small (~1300 px) masks; area stays within 5 %.
  EXPECT_GE(ExpectMatchesReference(outs, letterbox_, frame_, /*frame_resolution=*/false, 0.93), 3);
}

TEST_F(InferPostprocessTest, ClassFilterKeepsOnlyListedClasses) {
  PostprocessOptions o;
  o.conf_threshold = kConf, o.iou_threshold = kIou;
  const auto all = Postprocess(outputs_, 1, letterbox_, o);
  o.class_ids = {0};
  EXPECT_EQ(Postprocess(outputs_, 1, letterbox_, o).size(), all.size());
  o.class_ids = {3};
  EXPECT_TRUE(Postprocess(outputs_, 1, letterbox_, o).empty());
}

TEST_F(InferPostprocessTest, ConfidenceThresholdAndMaxDetectionsBoundTheResult) {
  PostprocessOptions o;
  o.conf_threshold = 0.5f;
  EXPECT_TRUE(Postprocess(outputs_, 1, letterbox_, o).empty());
  o.conf_threshold = kConf, o.iou_threshold = kIou, o.max_detections = 2;
  EXPECT_EQ(Postprocess(outputs_, 1, letterbox_, o).size(), 2u);
}

TEST(InferNmsTest, SuppressesOverlapsOfSameClassOnly) {
  const std::vector<cv::Rect2f> boxes = {{0, 0, 10, 10}, {1, 1, 10, 10}, {1, 1, 10, 10}, {50, 50, 5, 5}};
  EXPECT_EQ(GreedyNms(boxes, {0, 0, 1, 0}, 0.5f, 100), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(GreedyNms(boxes, {0, 0, 1, 0}, 0.5f, 1), (std::vector<int>{0}));
}

}  // namespace
}  // namespace pw::infer
