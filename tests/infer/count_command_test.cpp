// The `count` and `model import` commands, on the real fixture image and a video made by ffmpeg.
#include "infer/count_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "infer/test_models.h"
#include "support/test_support.h"

namespace pw::infer {
namespace {

TEST(InferCountCommandTest, CountsImageWithFixtureModelAsJson) {
  pw::test::TempDir dir;
  CountCommandOptions o;
  o.input = test::DataFile("input_640_0.jpg");
  o.model = test::DataFile(test::kYolo11);
  o.cache_dir = dir.path();
  o.json = true;
  o.postprocess.conf_threshold = 0.0029f;  // random-weight fixture: scores ~0.003-0.012
  o.postprocess.max_detections = 5;
  std::ostringstream out, err;
  ASSERT_EQ(RunCountCommand(o, out, err), 0) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["count"], 5);
  EXPECT_EQ(j["count"], j["instances"].size());
  EXPECT_EQ(j["model"]["task"], "segment");
  EXPECT_EQ(j["model"]["input_size"], nlohmann::json({640, 640}));
  EXPECT_TRUE(j["instances"][0].contains("polygon"));
}

TEST(InferCountCommandTest, SamplesVideoOncePerSecond) {
  pw::test::TempDir dir;
  auto gen = pw::test::RunCommand({"ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                            "color=c=gray:s=160x90:r=10:d=3", "-pix_fmt", "yuv420p",
                            (dir / "clip.mp4").string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  test::SaveModel(test::MakeTinyDetectModel(64), dir / "tiny.onnx");
  CountCommandOptions o;
  o.input = dir / "clip.mp4";
  o.model = dir / "tiny.onnx";
  o.cache_dir = dir / "models";
  std::ostringstream out, err;
  ASSERT_EQ(RunCountCommand(o, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("t=0.00s count=1"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("median 1 instance over 3 samples"), std::string::npos) << out.str();
}

TEST(InferCountCommandTest, FailsWithReasonOnBrokenModel) {
  pw::test::TempDir dir;
  pw::test::WriteFile(dir / "best.onnx", "not a model");
  CountCommandOptions o;
  o.input = test::DataFile("input_640_0.jpg");
  o.model = dir / "best.onnx";
  o.cache_dir = dir.path();
  std::ostringstream out, err;
  EXPECT_EQ(RunCountCommand(o, out, err), 1);
  EXPECT_NE(err.str().find("ONNX"), std::string::npos) << err.str();
}

TEST(InferModelImportCommandTest, PrintsWhatTheImporterDid) {
  pw::test::TempDir dir;
  test::SaveModel(test::MakeTinyDetectModel(64), dir / "tiny.onnx");
  std::ostringstream out, err;
  ASSERT_EQ(RunModelImportCommand({.model = dir / "tiny.onnx", .cache_dir = dir / "models", .json = true}, out, err), 0) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["classes"], nlohmann::json({"pig"}));
  EXPECT_TRUE(std::filesystem::exists(j["imported_path"].get<std::string>()));
}

}  // namespace
}  // namespace pw::infer
