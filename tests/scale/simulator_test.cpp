#include "scale/simulator.h"

#include <gtest/gtest.h>

#include <thread>

#include "scale/line_format.h"
#include "scale/sim_command.h"

namespace pw::scale {
namespace {

TEST(ScaleSimulator, FormatsLinesTheDefaultParserReadsBack) {
  EXPECT_EQ(FormatScaleLine(56, true, false, "kg", 1), "ST,GS,+0056.0kg");
  EXPECT_EQ(FormatScaleLine(1234.5, false, true, "kg", 1), "US,NT,+1234.5kg");
  EXPECT_EQ(FormatScaleLine(-3, true, false, "kg", 0), "ST,GS,-0003kg");
  auto back = ParseLine(FormatScaleLine(1000, true, false, "lb", 1), {});
  ASSERT_TRUE(back.ok());
  EXPECT_NEAR(back->kg, 1000, 0.05);
}

TEST(ScaleSimulator, ScenarioRampsUpSettlesHoldsAndRampsDown) {
  SimScenario s{.target_kg = 1000, .empty_s = 1, .ramp_up_s = 2, .unsettled_s = 1, .hold_s = 3,
                .ramp_down_s = 2, .noise_kg = 5, .resolution_kg = 0.5};
  std::mt19937 rng(7);
  EXPECT_EQ(SampleScenario(s, 0.5, rng).kg, 0.0);
  EXPECT_TRUE(SampleScenario(s, 0.5, rng).stable);
  SimSample ramp = SampleScenario(s, 2.0, rng);  // half way up
  EXPECT_FALSE(ramp.stable);
  EXPECT_NEAR(ramp.kg, 500, 5.5);
  EXPECT_FALSE(SampleScenario(s, 3.5, rng).stable);
  SimSample hold = SampleScenario(s, 5.0, rng);
  EXPECT_TRUE(hold.stable);
  EXPECT_EQ(hold.kg, 1000.0);
  EXPECT_NEAR(SampleScenario(s, 8.0, rng).kg, 500, 5.5);
  EXPECT_EQ(SampleScenario(s, 9.5, rng).kg, 0.0);  // loops: 9.5 s is 0.5 s into the next cycle
}

TEST(ScaleSimCommand, RunsForItsDurationAndRejectsBadOptions) {
  CLI::App app;
  auto run = AddScaleSimCommand(app);
  app.parse("scale-sim --target-kg 1234.5 --port 0 --duration-s 0.2", false);
  EXPECT_EQ(run(), 0);
  SimulatorOptions bad;
  bad.host = "not-an-address";
  EXPECT_EQ(RunScaleSim(bad, 0.1), 2);
}

}  // namespace
}  // namespace pw::scale
