// Scene generator: determinism and exactness of the ground truth read from the id map.
#include <chrono>
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include "scenegen/dataset.h"
#include "scenegen/painter.h"
#include "scenegen/scene.h"
#include "scenegen/truth.h"

namespace pw::scenegen {
namespace {

SceneOptions Small(int count) {
  SceneOptions o;
  o.width = 320;
  o.height = 192;
  o.count = count;
  return o;
}

bool SameBytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() &&
         std::equal(a.datastart, a.dataend, b.datastart);
}

TEST(CameraTest, ProjectAndUnprojectAreInverse) {
  Camera cam;
  cam.barrel = 0.15;
  cam.tilt = 0.2;
  for (double x : {-50.0, 0.0, 100.0, 320.0, 639.0, 700.0}) {
    for (double y : {-40.0, 0.0, 192.0, 383.0, 420.0}) {
      const cv::Point2d back = cam.Unproject(cam.Project({x, y}));
      EXPECT_NEAR(back.x, x, 1e-6);
      EXPECT_NEAR(back.y, y, 1e-6);
    }
  }
  EXPECT_NEAR(cam.Project({320, 192}).x, 320, 1e-9);  // the centre stays put
  // Barrel distortion pulls the corners in: the picture sees more than the image rectangle.
  const cv::Rect2d seen = cam.VisibleWorld();
  EXPECT_LT(seen.x, 0);
  EXPECT_GT(seen.br().x, 640);
}

TEST(SceneTest, SameSeedGivesIdenticalImageIdsAndTruth) {
  const StillResult a = GenerateStill(42, Small(30), 0.5);
  const StillResult b = GenerateStill(42, Small(30), 0.5);
  EXPECT_TRUE(SameBytes(a.rendered.image, b.rendered.image));
  EXPECT_TRUE(SameBytes(a.rendered.ids, b.rendered.ids));
  EXPECT_EQ(a.json.dump(), b.json.dump());
}

TEST(SceneTest, DifferentSeedsGiveDifferentScenes) {
  const StillResult a = GenerateStill(1, Small(20), 0.5);
  const StillResult b = GenerateStill(2, Small(20), 0.5);
  EXPECT_FALSE(SameBytes(a.rendered.image, b.rendered.image));
  EXPECT_NE(a.json.dump(), b.json.dump());
}

TEST(SceneTest, RequestedCountOfAnimalsIsInThePen) {
  for (int n : {0, 1, 7, 80}) {
    const SceneSpec spec = SampleScene(5, Small(n));
    EXPECT_EQ(static_cast<int>(spec.animals.size()), n);
  }
  SceneOptions range = Small(-1);
  range.min_animals = 3;
  range.max_animals = 6;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const size_t n = SampleScene(seed, range).animals.size();
    EXPECT_GE(n, 3u);
    EXPECT_LE(n, 6u);
  }
}

TEST(SceneTest, MaskAreaEqualsPixelsOfItsIdInTheIdMap) {
  for (uint64_t seed : {3u, 11u, 12u}) {
    const StillResult r = GenerateStill(seed, Small(50), 0.5);
    ASSERT_FALSE(r.truth.instances.empty());
    int total = 0;
    for (const InstanceTruth& in : r.truth.instances) {
      const int pixels = cv::countNonZero(r.rendered.ids == in.id);
      EXPECT_EQ(in.area, pixels) << "id " << in.id;
      EXPECT_EQ(cv::boundingRect(r.rendered.ids == in.id), in.bbox) << "id " << in.id;
      total += pixels;
    }
    EXPECT_EQ(total, cv::countNonZero(r.rendered.ids));  // no pixel belongs to an unknown id
  }
}

TEST(SceneTest, PolygonsRasterisedBackMatchTheMask) {
  const StillResult r = GenerateStill(7, Small(40), 0.5);
  int checked = 0;
  for (const InstanceTruth& in : r.truth.instances) {
    if (in.area < 60) continue;
    cv::Mat drawn = cv::Mat::zeros(r.rendered.ids.size(), CV_8U);
    cv::fillPoly(drawn, in.polygons, cv::Scalar(255));
    const cv::Mat mask = r.rendered.ids == in.id;
    const double inter = cv::countNonZero(drawn & mask);
    const double uni = cv::countNonZero(drawn | mask);
    EXPECT_GE(inter / uni, 0.9) << "id " << in.id;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(SceneTest, AnimalDrawnOnTopOwnsTheOverlapPixels) {
  SceneSpec spec = SampleScene(9, Small(2));
  ASSERT_EQ(spec.animals.size(), 2u);
  Animal& lower = spec.animals[0];
  Animal& upper = spec.animals[1];
  lower.centre = {150, 95};
  upper.centre = {165, 100};
  lower.heading = 0;
  upper.heading = 0.5;
  lower.depth = 0;
  upper.depth = 1;
  const RenderedScene r = RenderScene(spec);
  const cv::Mat lower_sil = SilhouetteMask(BuildShape(lower, spec.pixels_per_metre), spec.camera);
  const cv::Mat upper_sil = SilhouetteMask(BuildShape(upper, spec.pixels_per_metre), spec.camera);
  const cv::Mat overlap = lower_sil & upper_sil;
  ASSERT_GT(cv::countNonZero(overlap), 50);
  EXPECT_EQ(cv::countNonZero((r.ids != upper.id) & overlap), 0);
  // The upper animal is whole; the lower one is whole except under the upper one.
  EXPECT_EQ(cv::countNonZero((r.ids == upper.id) != upper_sil), 0);
  EXPECT_EQ(cv::countNonZero((r.ids == lower.id) != (lower_sil & ~upper_sil)), 0);
  // Full areas are the whole silhouettes (both animals lie inside the picture).
  EXPECT_EQ(r.full_area[0], cv::countNonZero(lower_sil));
  EXPECT_EQ(r.full_area[1], cv::countNonZero(upper_sil));
}

TEST(SceneTest, CountIsAnimalsAtLeastMinVisible) {
  const SceneSpec spec = SampleScene(21, Small(60));
  const RenderedScene r = RenderScene(spec);
  for (double min_visible : {0.0, 0.3, 0.5, 0.9}) {
    const FrameTruth t = ExtractTruth(r.ids, spec.animals, r.full_area, min_visible);
    int expected = 0;
    for (const InstanceTruth& in : t.instances) {
      EXPECT_EQ(in.counted, in.visible_fraction >= min_visible);
      EXPECT_GT(in.visible_fraction, 0.0);
      EXPECT_LE(in.visible_fraction, 1.0);
      expected += in.visible_fraction >= min_visible ? 1 : 0;
    }
    EXPECT_EQ(t.count, expected) << "min_visible " << min_visible;
    EXPECT_EQ(t.animals_in_pen, 60);
  }
  const FrameTruth all = ExtractTruth(r.ids, spec.animals, r.full_area, 0.0);
  const FrameTruth most = ExtractTruth(r.ids, spec.animals, r.full_area, 0.9);
  EXPECT_LT(most.count, all.count);  // a crowded pen hides some animals
}

TEST(SceneTest, SomeAnimalsAreCutByTheImageBorder) {
  int cut = 0;
  for (uint64_t seed = 0; seed < 12 && cut == 0; ++seed) {
    const StillResult r = GenerateStill(seed, Small(40), 0.5);
    for (const InstanceTruth& in : r.truth.instances) {
      const bool touches = in.bbox.x == 0 || in.bbox.y == 0 || in.bbox.br().x == 320 || in.bbox.br().y == 192;
      if (touches && in.visible_fraction < 0.9) ++cut;
    }
  }
  EXPECT_GT(cut, 0);
}

TEST(SceneTest, RendersAFullPenOfEightyAnimals) {
  SceneOptions o;
  o.count = 80;
  const auto start = std::chrono::steady_clock::now();
  StillResult still = GenerateStill(100, o, 0.5);
  // Timing is reported, never asserted (bench/ measures speed).
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("640x384 scene with 80 animals + truth: {:.1f} ms", ms);
  EXPECT_EQ(still.truth.animals_in_pen, 80);
  EXPECT_GT(still.truth.count, 40);  // densely packed, but most animals stay mostly visible
  EXPECT_LE(still.truth.count, 80);
}

}  // namespace
}  // namespace pw::scenegen
