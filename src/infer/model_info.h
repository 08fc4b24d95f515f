// ModelInfo: what the importer learned about a model and where the runnable copy lives.
//
// A value type; ToJson gives the form served by /debug/infer_status and `pigweight model import
// --json`. Thread-safety: a value (copy it freely).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pw::infer {

enum class Task { kDetect, kSegment };
std::string_view TaskName(Task task);

struct ModelInfo {
  std::filesystem::path source_path;    // the file the user gave (best.onnx)
  std::string hash;                     // SHA-256 of the source file
  Task task = Task::kDetect;
  std::vector<std::string> class_names; // by class id
  int num_classes = 0;
  int input_width = 0, input_height = 0;  // what the imported graph takes
  int export_width = 0, export_height = 0;  // what the source was exported at
  std::vector<int> strides;             // head levels, e.g. {8, 16, 32}
  int num_anchors = 0;                  // A in output0 [1, 4+nc(+32), A]
  int mask_channels = 0;                // 32 for segment, 0 for detect
  std::vector<std::string> output_names;        // output0 (boxes...) first, then output1 (protos)
  std::vector<std::vector<int>> output_shapes;  // as measured by the test forward
  std::filesystem::path imported_path;  // the rewritten, cached ONNX that OpenCV loads
  bool from_cache = false;              // the rewrite was already in the cache
  int opset = 0;
  std::string exporter;                 // e.g. "Ultralytics 8.4.52"
  std::vector<std::string> rewrites;    // what the importer changed, for the log and status
  std::vector<std::pair<std::string, double>> timings_ms;  // per import phase, in order
};

nlohmann::json ToJson(const ModelInfo& info);

}  // namespace pw::infer
