// Rectangular input: the importer's 640x384 variant of a square 640x640 export must see a 16:9
// frame exactly as square letterboxing does: every anchor over the frame content gives the same box,
// score and mask coefficients (shifted by the padding difference), and the prototypes match.
// Compared per anchor rather than per detection: the random-weight fixtures score the grey padding
// as high as the content, so the square run's NMS is decided by padding anchors the rect run lacks.
#include <gtest/gtest.h>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "infer/importer.h"
#include "infer/postprocess.h"
#include "infer/preprocess.h"
#include "infer/test_models.h"
#include "support/test_support.h"

namespace pw::infer {
namespace {

using test::DataFile;

struct Run {
  ModelInfo info;
  Letterbox letterbox;
  std::vector<cv::Mat> outputs;
};

Run Infer(const std::string& model, cv::Size input, const cv::Mat& frame, const std::filesystem::path& cache) {
  Run run;
  auto info = ImportModel(DataFile(model), {.cache_dir = cache, .input_size = input, .test_forward = false});
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  if (!info.ok()) return run;
  run.info = *info;
  auto blob = MakeInputBlob(frame, {info->input_width, info->input_height}, &run.letterbox);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(info->imported_path.string());
  net.setInput(*blob);
  net.forward(run.outputs, info->output_names);
  return run;
}

void ExpectRectangularMatchesSquare(const std::string& model) {
  pw::test::TempDir cache;
  cv::Mat frame;
  cv::resize(cv::imread(DataFile("input_640_0.jpg").string()), frame, {1280, 720});
  const Run rect = Infer(model, RectangularInputSize(frame.size(), 640), frame, cache.path());
  const Run square = Infer(model, {0, 0}, frame, cache.path());
  ASSERT_EQ(rect.outputs.size(), 2u);
  ASSERT_EQ(square.outputs.size(), 2u);
  EXPECT_EQ(rect.info.input_width, 640);
  EXPECT_EQ(rect.info.input_height, 384);
  EXPECT_EQ(rect.info.num_anchors, 80 * 48 + 40 * 24 + 20 * 12);
  EXPECT_EQ(rect.outputs[0].size[2], 5040);
  EXPECT_EQ(rect.outputs[1].size[2], 96);
  EXPECT_EQ(rect.outputs[1].size[3], 160);

  // Same frame content, 128 px less padding above: rect anchor (row r) = square anchor (row r + 128/s).
  const int shift = square.letterbox.pad_y - rect.letterbox.pad_y;
  ASSERT_EQ(shift, 128);
  const int ar = 5040, as = 8400;
  const float* r = rect.outputs[0].ptr<float>();
  const float* s = square.outputs[0].ptr<float>();
  float worst_box = 0, worst_score = 0;
  int compared = 0, base_r = 0, base_s = 0;
  for (int stride : {8, 16, 32}) {
    const int cols = 640 / stride, rows_r = 384 / stride, off = shift / stride;
    for (int y = 2; y < rows_r - 2; ++y) {  // away from the top/bottom borders
      for (int x = 0; x < cols; ++x) {
        const int ir = base_r + y * cols + x, is = base_s + (y + off) * cols + x;
        worst_box = std::max({worst_box, std::abs(r[ir] - s[is]), std::abs(r[ar + ir] + shift - s[as + is]),
                              std::abs(r[2 * ar + ir] - s[2 * as + is]), std::abs(r[3 * ar + ir] - s[3 * as + is])});
        for (int row = 4; row < 37; ++row) worst_score = std::max(worst_score, std::abs(r[row * ar + ir] - s[row * as + is]));
        ++compared;
      }
    }
    base_r += rows_r * cols;
    base_s += (640 / stride) * cols;
  }
  std::printf("%s: compared %d anchors, worst box diff %.3f px, worst score/coefficient diff %.5f\n", model.c_str(), compared, worst_box, worst_score);
  EXPECT_LE(worst_box, 1.0f);
  EXPECT_LE(worst_score, 1e-3f);
  // Mask prototypes (1/4 resolution): rect row y = square row y + 32, away from the borders.
  float worst_proto = 0;
  for (int c = 0; c < 32; ++c) {
    for (int y = 8; y < 96 - 8; ++y) {
      const float* pr = rect.outputs[1].ptr<float>(0, c) + y * 160;
      const float* ps = square.outputs[1].ptr<float>(0, c) + (y + shift / 4) * 160;
      for (int x = 0; x < 160; ++x) worst_proto = std::max(worst_proto, std::abs(pr[x] - ps[x]));
    }
  }
  EXPECT_LE(worst_proto, 1e-3f);

}

TEST(InferRectangularInputTest, Yolov8RectangularVariantMatchesSquareLetterbox) { ExpectRectangularMatchesSquare(test::kYolov8); }
TEST(InferRectangularInputTest, Yolo11RectangularVariantMatchesSquareLetterbox) { ExpectRectangularMatchesSquare(test::kYolo11); }

}  // namespace
}  // namespace pw::infer
