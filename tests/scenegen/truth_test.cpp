// Truth files: JSON fields and YOLO-seg labels.
#include <sstream>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "scenegen/dataset.h"
#include "scenegen/truth.h"

namespace pw::scenegen {
namespace {

TEST(TruthTest, JsonCarriesCountWeightsAndPolygons) {
  SceneOptions o;
  o.width = 320;
  o.height = 192;
  o.count = 25;
  const StillResult r = GenerateStill(4, o, 0.5);
  const nlohmann::json& j = r.json;
  EXPECT_EQ(j["count"].get<int>(), r.truth.count);
  EXPECT_EQ(j["animals_in_pen"].get<int>(), 25);
  EXPECT_EQ(j["seed"].get<uint64_t>(), 4u);
  ASSERT_EQ(j["instances"].size(), r.truth.instances.size());
  double weight = 0;
  for (const auto& in : j["instances"]) {
    EXPECT_GT(in["weight_kg"].get<double>(), 0.5);
    EXPECT_EQ(in["bbox"].size(), 4u);
    ASSERT_GE(in["polygons"].size(), 1u);
    EXPECT_EQ(in["polygons"][0].size() % 2, 0u);
    weight += in["weight_kg"].get<double>();
  }
  EXPECT_LE(weight, j["pen_weight_kg"].get<double>() + 0.1);
}

TEST(TruthTest, YoloLabelsAreClassZeroWithNormalisedPolygons) {
  SceneOptions o;
  o.width = 320;
  o.height = 192;
  o.count = 30;
  const StillResult r = GenerateStill(8, o, 0.5);
  YoloLabelOptions opt;
  const std::string text = YoloSegLabels(r.truth, opt);
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    int cls = -1;
    fields >> cls;
    EXPECT_EQ(cls, 0);
    double v;
    int values = 0;
    while (fields >> v) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
      ++values;
    }
    EXPECT_EQ(values % 2, 0);
    EXPECT_GE(values, 6);
    ++n;
  }
  int expected = 0;
  for (const InstanceTruth& in : r.truth.instances) {
    expected += in.visible_fraction >= opt.min_visible && in.area >= opt.min_area_px ? 1 : 0;
  }
  EXPECT_EQ(n, expected);
  EXPECT_GT(n, 10);
}

TEST(TruthTest, MergedPolygonCoversEveryPart) {
  const std::vector<std::vector<cv::Point>> parts = {
      {{10, 10}, {30, 10}, {30, 30}, {10, 30}}, {{50, 12}, {70, 12}, {70, 28}, {50, 28}}};
  const std::vector<cv::Point> merged = MergePolygons(parts);
  EXPECT_EQ(merged.size(), 4u + 5u + 1u);
  cv::Mat a = cv::Mat::zeros(40, 80, CV_8U), b = cv::Mat::zeros(40, 80, CV_8U);
  cv::fillPoly(a, parts, cv::Scalar(255));
  cv::fillPoly(b, std::vector<std::vector<cv::Point>>{merged}, cv::Scalar(255));
  EXPECT_EQ(cv::countNonZero(a & ~b), 0);  // nothing lost
  EXPECT_LT(cv::countNonZero(b & ~a), 40);  // only the bridge line added
}

}  // namespace
}  // namespace pw::scenegen
