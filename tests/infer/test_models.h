// Test helpers for the infer module: paths of the fixture models shipped in tests/data/infer, raw
// float32 reference tensors, and tiny YOLO-shaped ONNX graphs built with the onnx protobuf API
// (microseconds per forward, so engine tests do not pay for a real 640 px network).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>

namespace pw::infer::test {

inline constexpr const char* kYolo11 = "yolo11n-seg-pig_640_opdef_static_slim.onnx";
inline constexpr const char* kYolov8 = "yolov8n-seg-pig_640_op12_static_slim.onnx";

std::filesystem::path DataFile(const std::string& name);
std::vector<float> ReadFloats(const std::filesystem::path& path);
float MaxAbsDiff(const cv::Mat& m, const std::vector<float>& ref);

// A detect model with one class, input [1,3,size,size], output0 [1,5,A] for strides 8/16/32.
// Every anchor predicts the box (cx,cy,w,h) = (size/2, size/2, size/4, size/4) with a score equal
// to the mean of the (RGB, /255) input over the anchor's cell — a uniform grey frame of level L
// gives one instance of score L/255 after NMS. Carries Ultralytics metadata (names, imgsz, task).
onnx::ModelProto MakeTinyDetectModel(int size);
void SaveModel(const onnx::ModelProto& model, const std::filesystem::path& path);

}  // namespace pw::infer::test
