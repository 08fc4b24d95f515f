// Animals: weight follows size (mass ~ length^3 with individual build), shapes are sane.
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "scenegen/animal.h"
#include "scenegen/rng.h"

namespace pw::scenegen {
namespace {

TEST(AnimalTest, WeightGrowsWithLengthOnAverage) {
  Rng rng(7);
  // Bucket 4000 animals from 1 to 120 kg by length; mean weight must rise bucket by bucket.
  std::map<int, std::pair<double, int>> buckets;
  for (int i = 0; i < 4000; ++i) {
    const double mean = std::exp(rng.Uniform(std::log(1.5), std::log(100.0)));
    const Animal a = SampleAnimal(rng, mean, 0.2, HerdLook{});
    auto& b = buckets[static_cast<int>(a.length_m * 10)];
    b.first += a.weight_kg;
    b.second += 1;
  }
  double previous = 0;
  for (const auto& [bucket, sum] : buckets) {
    if (sum.second < 20) continue;
    const double mean = sum.first / sum.second;
    EXPECT_GT(mean, previous) << "length bucket " << bucket;
    previous = mean;
  }
}

TEST(AnimalTest, WeightIsCubeOfLengthTimesBuild) {
  Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    const Animal a = SampleAnimal(rng, 12, 0.3, HerdLook{});
    EXPECT_NEAR(a.weight_kg, kMassPerCubicMetre * a.condition * std::pow(a.length_m, 3), 1e-9);
    EXPECT_GE(a.weight_kg, 0.8);
    EXPECT_GT(a.width_m, 0.25 * a.length_m);
    EXPECT_LT(a.width_m, 0.45 * a.length_m);
  }
  EXPECT_NEAR(LengthForWeight(100, 1.0), 1.15, 0.02);
  EXPECT_NEAR(LengthForWeight(1.5, 1.0), 0.284, 0.01);
}

TEST(AnimalTest, ShapeIsAsLongAsTheAnimalAndCentredOnIt) {
  Rng rng(1);
  Animal a = SampleAnimal(rng, 20, 0.1, HerdLook{});
  a.pose = Pose::kStanding;
  a.bend = 0;
  a.head_turn = 0;
  a.centre = {300, 200};
  a.heading = 0.3;
  const double ppm = 200;
  const AnimalShape s = BuildShape(a, ppm);
  EXPECT_NEAR(cv::norm(s.spine.back() - s.spine.front()), a.length_m * ppm, 0.5);
  EXPECT_EQ(s.ears.size(), 2u);
  EXPECT_TRUE(s.legs.empty());
  a.pose = Pose::kLying;
  EXPECT_EQ(BuildShape(a, ppm).legs.size(), 4u);
}

TEST(AnimalTest, RngIsReproducibleAndForksAreIndependent) {
  Rng a(5), b(5);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
  Rng c(5);
  Rng f1 = c.Fork(1);
  Rng f2 = c.Fork(2);
  EXPECT_NE(f1.Next(), f2.Next());
  double sum = 0, sq = 0;
  Rng n(9);
  for (int i = 0; i < 20000; ++i) {
    const double v = n.Normal();
    sum += v, sq += v * v;
  }
  EXPECT_NEAR(sum / 20000, 0.0, 0.03);
  EXPECT_NEAR(sq / 20000, 1.0, 0.05);
}

}  // namespace
}  // namespace pw::scenegen
