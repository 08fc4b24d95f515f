// The shipped demo model goes through the same importer as a farm's own export and counts
// generated scenes it never saw in training well enough to demonstrate the product.
#include <gtest/gtest.h>

#include "evaluate/evaluate.h"
#include "support/test_support.h"

namespace pw::evaluate {
namespace {

TEST(DemoModel, CountsHeldOutScenesOfUpToThirtyAnimals) {
  pw::test::TempDir cache;
  EvalOptions o;
  o.model = PW_DEMO_MODEL;
  o.cache_dir = cache.path();
  o.seed = 7700000;  // held out: training used seed 1's scene pool (models/pigweight-demo.json)
  o.scenes = 20;
  o.scene.min_animals = 0;
  o.scene.max_animals = 30;
  auto report = EvaluateOnScenes(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  RecordProperty("report", report->ToJson().dump());
  std::cout << report->ToJson().dump(2) << "\n";
  EXPECT_EQ(report->scenes, 20);
  // Thresholds just under what the shipped model reaches on these fixed scenes (exact 0.75,
  // AP50 1.0, IoU 0.81 when committed): a broken importer, pre- or post-processing falls far below.
  EXPECT_GE(static_cast<double>(report->exact) / report->scenes, 0.7) << report->ToJson().dump(2);
  EXPECT_GE(report->mask_ap50, 0.95);
  EXPECT_GE(report->mean_iou, 0.75);
  for (const auto& [band, b] : report->bands) EXPECT_LE(b.abs_error / b.scenes, 0.5) << band;
}

}  // namespace
}  // namespace pw::evaluate
