#include "infer/model_info.h"

namespace pw::infer {

std::string_view TaskName(Task task) { return task == Task::kSegment ? "segment" : "detect"; }

nlohmann::json ToJson(const ModelInfo& info) {
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& [phase, ms] : info.timings_ms) timings[phase] = ms;
  return {
      {"path", info.source_path.string()},
      {"hash", info.hash},
      {"task", TaskName(info.task)},
      {"classes", info.class_names},
      {"num_classes", info.num_classes},
      {"input_size", {info.input_width, info.input_height}},
      {"export_size", {info.export_width, info.export_height}},
      {"strides", info.strides},
      {"num_anchors", info.num_anchors},
      {"mask_channels", info.mask_channels},
      {"output_names", info.output_names},
      {"output_shapes", info.output_shapes},
      {"imported_path", info.imported_path.string()},
      {"from_cache", info.from_cache},
      {"opset", info.opset},
      {"exporter", info.exporter},
      {"rewrites", info.rewrites},
      {"load_timings_ms", timings},
  };
}

}  // namespace pw::infer
