#include <gtest/gtest.h>

#include <cmath>

#include "weighing/estimate.h"

namespace pw::weighing {
namespace {

// A rectangular "animal" of w x h pixels at (x, y) with a matching polygon and mask area.
infer::Instance Rect(int x, int y, int w, int h, float score = 0.9f) {
  infer::Instance i;
  i.box = cv::Rect2f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(w), static_cast<float>(h));
  i.score = score;
  i.polygon = {{x, y}, {x + w - 1, y}, {x + w - 1, y + h - 1}, {x, y + h - 1}};
  i.area = static_cast<double>(w) * h;
  return i;
}

TEST(AverageKg, IsTotalOverCountRoundedToHundredths) {
  EXPECT_DOUBLE_EQ(AverageKg(1000.0, 3), 333.33);
  EXPECT_DOUBLE_EQ(AverageKg(1666.0, 53), 31.43);  // 31.4339...
  EXPECT_DOUBLE_EQ(AverageKg(10.0, 4), 2.5);
  EXPECT_DOUBLE_EQ(AverageKg(10.0, 0), 0.0);
}

TEST(EstimateShares, WeightsGrowWithAreaToThePowerOneAndAHalfAndAddUpToTheTotal) {
  cv::Size frame(400, 200);
  // Areas 40x20=800 and 80x40=3200 (4x): masses in ratio 4^1.5 = 8.
  std::vector<infer::Instance> pigs = {Rect(20, 20, 40, 20), Rect(200, 60, 80, 40)};
  auto s = EstimateShares(pigs, frame, 2, 900.0);
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->measured, 2);
  EXPECT_NEAR(s->animals[0].kg + s->animals[1].kg, 900.0, 1e-6);
  EXPECT_NEAR(s->animals[1].kg / s->animals[0].kg, 8.0, 1e-6);
  EXPECT_NEAR(s->min_kg, 100.0, 1e-6);
  EXPECT_NEAR(s->max_kg, 800.0, 1e-6);
  EXPECT_NEAR(s->mean_kg, 450.0, 1e-6);
  EXPECT_NEAR(s->cv_pct, 100.0 * 350.0 / 450.0, 1e-6);
}

TEST(EstimateShares, AnimalsNotMeasuredCountAtTheMeasuredMean) {
  cv::Size frame(400, 200);
  std::vector<infer::Instance> pigs = {Rect(20, 20, 40, 20), Rect(100, 20, 40, 20)};
  // Four animals on the scale, two measurable and alike: each is a quarter of the total.
  auto s = EstimateShares(pigs, frame, 4, 400.0);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->measured, 2);
  EXPECT_NEAR(s->mean_kg, 100.0, 1e-6);
  EXPECT_NEAR(s->cv_pct, 0.0, 1e-9);
}

TEST(EstimateShares, LeavesOutAnimalsCutByTheBorderOverlappingOrMostlyHidden) {
  cv::Size frame(400, 200);
  std::vector<infer::Instance> pigs = {
      Rect(20, 20, 40, 20),              // measurable
      Rect(0, 100, 40, 20),              // cut by the left border
      Rect(150, 20, 40, 20),             // overlaps the next one by half
      Rect(170, 20, 40, 20),
      Rect(300, 150, 12, 10),            // far smaller than the median: mostly hidden
      Rect(300, 20, 40, 20, 0.3f),       // below the counting score: not an animal here
  };
  auto s = EstimateShares(pigs, frame, 5, 500.0);
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->measured, 1);
  EXPECT_EQ(s->animals[0].index, 0);
  EXPECT_NEAR(s->animals[0].kg, 100.0, 1e-6);  // 5 animals, the others at the measured mean
}

TEST(EstimateShares, NothingMeasurableGivesNoEstimate) {
  cv::Size frame(100, 100);
  EXPECT_FALSE(EstimateShares({Rect(0, 0, 50, 50)}, frame, 1, 100.0).has_value());
  EXPECT_FALSE(EstimateShares({}, frame, 3, 100.0).has_value());
  EXPECT_FALSE(EstimateShares({Rect(10, 10, 20, 20)}, frame, 0, 100.0).has_value());
  EXPECT_FALSE(EstimateShares({Rect(10, 10, 20, 20)}, frame, 1, 0.0).has_value());
}

TEST(EstimateShares, JsonSaysItIsAnEstimate) {
  auto s = EstimateShares({Rect(10, 10, 20, 20)}, cv::Size(100, 100), 1, 33.333);
  ASSERT_TRUE(s.has_value());
  auto j = ToJson(*s);
  EXPECT_EQ(j["estimate"], true);
  EXPECT_EQ(j["n"], 1);
  EXPECT_DOUBLE_EQ(j["mean_kg"].get<double>(), 33.33);
}

}  // namespace
}  // namespace pw::weighing
