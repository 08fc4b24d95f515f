// Importer: the real Ultralytics fixtures load and match PyTorch; unusable files are refused with
// a message that says what to do.
#include "infer/importer.h"

#include <gtest/gtest.h>
#include <opencv2/dnn.hpp>

#include "infer/onnx_file.h"
#include "infer/test_models.h"
#include "support/test_support.h"

namespace pw::infer {
namespace {

using test::DataFile;

void ExpectMatchesPyTorch(const std::string& model_file, const std::string& ref_prefix) {
  pw::test::TempDir cache;
  auto info = ImportModel(DataFile(model_file), {.cache_dir = cache.path()});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->task, Task::kSegment);
  EXPECT_EQ(info->num_classes, 1);
  EXPECT_EQ(info->input_width, 640);
  EXPECT_EQ(info->num_anchors, 8400);
  EXPECT_EQ(info->hash.size(), 64u);
  EXPECT_FALSE(info->rewrites.empty());  // as exported, OpenCV 4.6 cannot run either fixture
  EXPECT_TRUE(std::filesystem::exists(info->imported_path));
  EXPECT_EQ(info->output_shapes, (std::vector<std::vector<int>>{{1, 37, 8400}, {1, 32, 160, 160}}));

  cv::dnn::Net net = cv::dnn::readNetFromONNX(info->imported_path.string());
  const auto input = test::ReadFloats(DataFile("input_640_b1.f32"));
  cv::Mat blob(std::vector<int>{1, 3, 640, 640}, CV_32F, const_cast<float*>(input.data()));
  net.setInput(blob);
  std::vector<cv::Mat> outs;
  net.forward(outs, info->output_names);
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_LE(test::MaxAbsDiff(outs[0], test::ReadFloats(DataFile(ref_prefix + ".ref_b1_0.f32"))), 1e-3f);
  EXPECT_LE(test::MaxAbsDiff(outs[1], test::ReadFloats(DataFile(ref_prefix + ".ref_b1_1.f32"))), 1e-3f);
}

TEST(InferImporterTest, Yolo11SegOpset17LoadsAndMatchesPyTorch) {
  ExpectMatchesPyTorch(test::kYolo11, "yolo11n-seg-pig_640_opdef_static");
}

TEST(InferImporterTest, Yolov8SegOpset12LoadsAndMatchesPyTorch) {
  ExpectMatchesPyTorch(test::kYolov8, "yolov8n-seg-pig_640_op12_static");
}

TEST(InferImporterTest, ReadsUltralyticsMetadataAndReusesTheCache) {
  pw::test::TempDir cache;
  const auto model = cache / "tiny.onnx";
  test::SaveModel(test::MakeTinyDetectModel(64), model);
  auto first = ImportModel(model, {.cache_dir = cache / "models"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->task, Task::kDetect);
  EXPECT_EQ(first->class_names, std::vector<std::string>{"pig"});
  EXPECT_EQ(first->strides, (std::vector<int>{8, 16, 32}));
  EXPECT_FALSE(first->from_cache);
  auto second = ImportModel(model, {.cache_dir = cache / "models"});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(second->imported_path, first->imported_path);
}

void ExpectRefused(const std::filesystem::path& file, core::Code code, const std::string& hint) {
  pw::test::TempDir cache;
  auto info = ImportModel(file, {.cache_dir = cache.path()});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), code) << info.status().ToString();
  EXPECT_NE(info.status().message().find(hint), std::string::npos) << info.status().ToString();
}

TEST(InferImporterTest, RefusesGarbageBytesAsNotOnnx) {
  pw::test::TempDir dir;
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
  pw::test::WriteFile(dir / "garbage.onnx", garbage);
  ExpectRefused(dir / "garbage.onnx", core::Code::kUnprocessable, "not a complete ONNX model");
}

TEST(InferImporterTest, RefusesTruncatedFile) {
  pw::test::TempDir dir;
  const std::string full = pw::test::ReadFile(DataFile(test::kYolov8));
  pw::test::WriteFile(dir / "cut.onnx", full.substr(0, full.size() * 2 / 3));
  ExpectRefused(dir / "cut.onnx", core::Code::kUnprocessable, "truncated");
}

TEST(InferImporterTest, RefusesTextFile) {
  pw::test::TempDir dir;
  pw::test::WriteFile(dir / "best.onnx", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n");
  ExpectRefused(dir / "best.onnx", core::Code::kUnprocessable, "re-export");
}

TEST(InferImporterTest, ReportsMissingFileAsNotFound) {
  ExpectRefused("/nonexistent/best.onnx", core::Code::kNotFound, "MODEL_PATH");
}

void MakeInputDynamic(onnx::ModelProto* m) {
  auto* shape = m->mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->mutable_dim(0)->set_dim_param("batch");
  shape->mutable_dim(2)->set_dim_param("height");
  shape->mutable_dim(3)->set_dim_param("width");
}

TEST(InferImporterTest, PinsDynamicInputWithoutShapeOpsToMetadataImgsz) {
  pw::test::TempDir dir;
  auto m = test::MakeTinyDetectModel(64);
  MakeInputDynamic(&m);
  test::SaveModel(m, dir / "dyn.onnx");
  auto info = ImportModel(dir / "dyn.onnx", {.cache_dir = dir / "models"});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->input_width, 64);
  EXPECT_EQ(info->input_height, 64);
  ASSERT_FALSE(info->rewrites.empty());
  EXPECT_NE(info->rewrites[0].find("pinned"), std::string::npos);
}

TEST(InferImporterTest, RejectsDynamicShapeModelWithReexportHint) {
  pw::test::TempDir dir;
  auto m = test::MakeTinyDetectModel(64);
  MakeInputDynamic(&m);
  auto* shape_node = m.mutable_graph()->add_node();  // what a dynamic=True export computes
  shape_node->set_op_type("Shape");
  shape_node->add_input("images");
  shape_node->add_output("images_shape");
  test::SaveModel(m, dir / "dyn.onnx");
  ExpectRefused(dir / "dyn.onnx", core::Code::kUnprocessable, "dynamic=False");
}

TEST(InferImporterTest, RejectsEnd2EndHeadWithExportHint) {
  pw::test::TempDir dir;
  auto m = test::MakeTinyDetectModel(64);
  auto* p = m.add_metadata_props();
  p->set_key("end2end");
  p->set_value("True");
  test::SaveModel(m, dir / "e2e.onnx");
  ExpectRefused(dir / "e2e.onnx", core::Code::kUnprocessable, "end2end=False");
}

TEST(InferImporterTest, RejectsUnknownOutputLayout) {
  pw::test::TempDir dir;
  auto m = test::MakeTinyDetectModel(64);
  m.mutable_metadata_props(1)->set_value("{0: 'pig', 1: 'sow'}");  // 2 names, but 5 rows
  test::SaveModel(m, dir / "odd.onnx");
  ExpectRefused(dir / "odd.onnx", core::Code::kUnprocessable, "unknown output layout");
}

TEST(InferImporterTest, RectangularInputSizeFollowsUltralyticsRounding) {
  EXPECT_EQ(RectangularInputSize({1920, 1080}, 640), cv::Size(640, 384));
  EXPECT_EQ(RectangularInputSize({1280, 720}, 640), cv::Size(640, 384));
  EXPECT_EQ(RectangularInputSize({640, 480}, 640), cv::Size(640, 480));
  EXPECT_EQ(RectangularInputSize({1080, 1920}, 416), cv::Size(256, 416));
}

}  // namespace
}  // namespace pw::infer
