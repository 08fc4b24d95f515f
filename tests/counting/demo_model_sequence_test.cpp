// The counter behind the real demo model: a generated weighing sequence (animals entering,
// settling, leaving) is rendered, every frame goes through pw::infer::Engine, and the consensus
// count is compared with the truth and with the single-frame counts.
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "counting/counter.h"
#include "infer/engine.h"
#include "scene_sequence.h"
#include "support/test_support.h"

namespace pw::counting {
namespace {

TEST(CountingDemoModel, ConsensusNoWorseThanSingleFramesAndExactOnceSettled) {
  pw::test::TempDir cache;
  infer::EngineOptions eo;
  eo.model_path = PW_DEMO_MODEL;
  eo.cache_dir = cache.path();
  eo.workers = 1;
  eo.postprocess.conf_threshold = 0.1f;  // the tracker's low-score stage needs the weak detections
  infer::Engine engine(eo);
  engine.Preload();
  ASSERT_EQ(engine.WaitUntilSettled(std::chrono::minutes(2)), infer::EngineState::kReady)
      << engine.Snapshot().reason;

  scenegen::SceneOptions scene;
  scene.width = 640;
  scene.height = 384;
  scene.count = 10;
  const double seconds = 40, fps = 5;
  // Seed 26: a herd of 10 whose settled part the truth counts steadily (no animal at exactly half
  // visible) and where the demo model is right in most frames.
  const auto frames = test::RenderSequence(26, scene, seconds, fps, true);

  Counter counter;
  int n = 0, frame_exact = 0, consensus_exact = 0, settled = 0, settled_exact = 0, stable = 0, stable_exact = 0;
  double frame_error = 0, consensus_error = 0, changed = -1e9;
  int previous_truth = -1;
  for (const auto& f : frames) {
    infer::InferRequest req;
    req.frame = f.image;
    req.priority = infer::Priority::kBackground;
    const infer::InferResult r = engine.Submit(req).get();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    const CountFrame out = counter.Update(f.t, r.instances);
    const int truth = f.truth.count;
    n++;
    frame_error += std::abs(out.state.raw_count - truth);
    consensus_error += std::abs(out.state.count - truth);
    frame_exact += out.state.raw_count == truth;
    consensus_exact += out.state.count == truth;
    if (f.walking || truth != previous_truth) changed = f.t;
    previous_truth = truth;
    if (f.t - changed > counter.options().consensus.window_seconds) {  // settled herd, steady truth
      settled++;
      settled_exact += out.state.count == truth;
    }
    stable += out.state.stable;
    stable_exact += out.state.stable && out.state.count == truth;
  }
  std::printf("demo model, %d frames: per-frame MAE %.3f exact %.2f | consensus MAE %.3f exact %.2f | settled %d "
              "exact %d | stable %d exact %d\n",
              n, frame_error / n, 1.0 * frame_exact / n, consensus_error / n, 1.0 * consensus_exact / n, settled,
              settled_exact, stable, stable_exact);
  EXPECT_LE(consensus_error, frame_error);
  EXPECT_GT(settled, 10);
  EXPECT_EQ(settled_exact, settled);
  EXPECT_EQ(stable_exact, stable);
}

}  // namespace
}  // namespace pw::counting
