#include "infer/importer.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <opencv2/dnn.hpp>
#include <spdlog/spdlog.h>

#include "infer/graph_rewrites.h"
#include "infer/onnx_file.h"
#include "infer/ultralytics_metadata.h"

namespace pw::infer {
namespace {

using Clock = std::chrono::steady_clock;

class PhaseTimer {
 public:
  explicit PhaseTimer(ModelInfo* info) : info_(info) {}
  void Done(const std::string& phase) {
    const auto now = Clock::now();
    info_->timings_ms.emplace_back(phase, std::chrono::duration<double, std::milli>(now - start_).count());
    start_ = now;
  }

 private:
  ModelInfo* info_;
  Clock::time_point start_ = Clock::now();
};

core::Status Refuse(const std::filesystem::path& source, const std::string& why) {
  return core::Status::Unprocessable(fmt::format("model {}: {}", source.filename().string(), why));
}

std::vector<int64_t> StaticDims(const onnx::ValueInfoProto& vi, bool* dynamic) {
  std::vector<int64_t> dims;
  for (const auto& d : vi.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() <= 0) *dynamic = true;
    dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return dims;
}

// Fills task, classes, export size, strides and anchors from metadata and the graph; refuses
// models that cannot work. `pinned` tells whether the input had to be pinned to the metadata size.
core::Status Analyze(const std::filesystem::path& source, const onnx::ModelProto& model,
                     ModelInfo* info, bool* pinned) {
  const auto& g = model.graph();
  const auto md = ParseUltralyticsMetadata(model);
  info->opset = OnnxOpset(model);
  info->exporter = md.present ? "Ultralytics " + md.version : model.producer_name();
  if (md.end2end || HasOp(g, "TopK") || HasOp(g, "NonMaxSuppression") || md.nms) {
    return Refuse(source, "it has an NMS-free end2end head (TopK/NMS inside the graph) that OpenCV "
                          "4.6 cannot run; re-export with `yolo export format=onnx end2end=False "
                          "nms=False`");
  }
  if (!md.task.empty() && md.task != "detect" && md.task != "segment") {
    return Refuse(source, fmt::format("task '{}' is not supported; PigWeight needs a detect or "
                                      "segment model", md.task));
  }
  bool dynamic = false;
  const auto in = StaticDims(g.input(0), &dynamic);
  if (in.size() != 4 || (in[1] != 3 && in[1] != -1)) {
    return Refuse(source, "its input is not an image tensor [1,3,H,W]");
  }
  *pinned = dynamic;
  if (dynamic) {
    if (HasOp(g, "Shape") || md.imgsz_w <= 0) {
      return Refuse(source, "it was exported with dynamic input shapes, which OpenCV 4.6 cannot "
                            "run; re-export with `yolo export format=onnx dynamic=False`");
    }
    info->export_width = md.imgsz_w, info->export_height = md.imgsz_h;
  } else {
    info->export_width = static_cast<int>(in[3]), info->export_height = static_cast<int>(in[2]);
  }
  const int n_out = g.output_size();
  info->task = md.task == "segment" || (md.task.empty() && n_out == 2) ? Task::kSegment : Task::kDetect;
  info->mask_channels = info->task == Task::kSegment ? 32 : 0;
  if ((info->task == Task::kSegment && n_out != 2) || (info->task == Task::kDetect && n_out != 1)) {
    return Refuse(source, fmt::format("unknown output layout: {} outputs for a {} model; export an "
                                      "Ultralytics YOLO detect/segment model with end2end=False",
                                      n_out, TaskName(info->task)));
  }
  bool out_dynamic = false;
  const auto out0 = StaticDims(g.output(0), &out_dynamic);
  if (out0.size() != 3) {
    return Refuse(source, "unknown output layout: output0 is not [1, 4+classes(+32), anchors]");
  }
  info->class_names = md.names;
  if (info->class_names.empty() && out0[1] > 4 + info->mask_channels) {
    for (int i = 0; i < out0[1] - 4 - info->mask_channels; ++i) info->class_names.push_back(fmt::format("class{}", i));
  }
  info->num_classes = static_cast<int>(info->class_names.size());
  if (out0[1] > 0 && out0[1] != 4 + info->num_classes + info->mask_channels) {
    return Refuse(source, fmt::format("unknown output layout: output0 has {} rows, expected 4 + {} "
                                      "classes{}", out0[1], info->num_classes,
                                      info->mask_channels ? " + 32 mask coefficients" : ""));
  }
  info->strides = {8, 16, 32};
  if (out0[2] > 0) {
    info->strides = GuessHeadStrides(info->export_width, info->export_height, out0[2]);
    if (info->strides.empty()) {
      return Refuse(source, fmt::format("unknown output layout: {} anchors do not match a YOLO head "
                                        "at {}x{}", out0[2], info->export_width, info->export_height));
    }
  }
  return core::Status::Ok();
}

core::Status Rewrite(const std::filesystem::path& source, onnx::ModelProto* model, ModelInfo* info,
                     bool pinned) {
  auto* g = model->mutable_graph();
  if (int n = ConstantNodesToInitializers(g)) info->rewrites.push_back(fmt::format("{} Constant nodes → initializers", n));
  if (pinned) {
    PinInputShape(g, 3, info->export_height, info->export_width);
    info->rewrites.push_back(fmt::format("dynamic input pinned to {}x{}", info->export_width, info->export_height));
  }
  auto splits = UnevenSplitsToSlices(g, info->opset);
  if (!splits.ok()) return Refuse(source, splits.status().message());
  if (*splits) info->rewrites.push_back(fmt::format("{} uneven Split → Slice", *splits));
  const HeadGeometry from{info->export_width, info->export_height, info->strides};
  const HeadGeometry to{info->input_width, info->input_height, info->strides};
  if (info->input_width != info->export_width || info->input_height != info->export_height) {
    auto n = RetargetInputSize(g, from, to);
    if (!n.ok()) return Refuse(source, n.status().message());
    info->rewrites.push_back(fmt::format("head retargeted {}x{} → {}x{} ({} constants)", from.width,
                                         from.height, to.width, to.height, *n));
  }
  if (int n = BroadcastStrideMul(g, to.Anchors())) info->rewrites.push_back(fmt::format("{} stride Mul broadcast to (1,4,A)", n));
  if (int n = SigmoidMulToSwish(g)) info->rewrites.push_back(fmt::format("{} x*Sigmoid(x) → Swish", n));
  return core::Status::Ok();
}

core::Status TestForward(const std::filesystem::path& source, ModelInfo* info, PhaseTimer* timer) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(info->imported_path.string());
    timer->Done("load");
    cv::Mat blob(std::vector<int>{1, 3, info->input_height, info->input_width}, CV_32F, cv::Scalar(0));
    net.setInput(blob);
    std::vector<cv::Mat> outs;
    net.forward(outs, info->output_names);
    info->output_shapes.clear();
    for (const auto& m : outs) info->output_shapes.emplace_back(m.size.p, m.size.p + m.dims);
  } catch (const std::exception& e) {
    return Refuse(source, fmt::format("OpenCV {} cannot run it ({}); export an Ultralytics YOLO "
                                      "detect/segment model with `yolo export format=onnx`",
                                      CV_VERSION, e.what()));
  }
  std::vector<std::vector<int>> want = {{1, 4 + info->num_classes + info->mask_channels, info->num_anchors}};
  if (info->task == Task::kSegment) want.push_back({1, 32, info->input_height / 4, info->input_width / 4});
  if (info->output_shapes != want) {
    return Refuse(source, fmt::format("unknown output layout: the test forward gave {}, expected {}",
                                      nlohmann::json(info->output_shapes).dump(), nlohmann::json(want).dump()));
  }
  return core::Status::Ok();
}

}  // namespace

cv::Size RectangularInputSize(cv::Size frame, int imgsz, int stride) {
  if (frame.width <= 0 || frame.height <= 0) return {imgsz, imgsz};
  const double r = static_cast<double>(imgsz) / std::max(frame.width, frame.height);
  auto up = [&](int v) {
    const int scaled = static_cast<int>(std::lround(v * r));
    return std::min(imgsz, (scaled + stride - 1) / stride * stride);
  };
  return {up(frame.width), up(frame.height)};
}

core::Result<ModelInfo> ImportModel(const std::filesystem::path& source, const ImportOptions& options) {
  ModelInfo info;
  info.source_path = source;
  PhaseTimer timer(&info);
  auto hash = Sha256OfFile(source);
  if (!hash.ok()) {
    return core::Status::NotFound(fmt::format(
        "model file {} does not exist or cannot be read; check the MODEL_PATH setting", source.string()));
  }
  info.hash = *hash;
  timer.Done("hash");
  auto model = ReadOnnxFile(source);
  if (!model.ok()) return model.status();
  timer.Done("parse");
  bool pinned = false;
  PW_RETURN_IF_ERROR(Analyze(source, *model, &info, &pinned));
  info.input_width = options.input_size.width > 0 ? options.input_size.width : info.export_width;
  info.input_height = options.input_size.height > 0 ? options.input_size.height : info.export_height;
  const int max_stride = info.strides.back();
  if (info.input_width % max_stride || info.input_height % max_stride) {
    return core::Status::InvalidArgument(fmt::format(
        "input size {}x{} is not a multiple of the model stride {}", info.input_width,
        info.input_height, max_stride));
  }
  info.num_anchors = static_cast<int>(HeadGeometry{info.input_width, info.input_height, info.strides}.Anchors());
  for (const auto& o : model->graph().output()) info.output_names.push_back(o.name());
  info.imported_path = options.cache_dir / fmt::format("{}_{}x{}.onnx", info.hash.substr(0, 16),
                                                       info.input_width, info.input_height);
  std::error_code ec;
  info.from_cache = std::filesystem::is_regular_file(info.imported_path, ec);
  if (!info.from_cache) {
    PW_RETURN_IF_ERROR(Rewrite(source, &*model, &info, pinned));
    timer.Done("rewrite");
    PW_RETURN_IF_ERROR(WriteOnnxFile(*model, info.imported_path));
    timer.Done("save");
  }
  if (options.test_forward) {
    if (auto st = TestForward(source, &info, &timer); !st.ok()) {
      std::filesystem::remove(info.imported_path, ec);  // never keep a copy that does not run
      return st;
    }
    timer.Done("test_forward");
  }
  spdlog::info("model {} ({}, {} classes, {}x{}) imported{}: {}", source.string(), TaskName(info.task),
               info.num_classes, info.input_width, info.input_height,
               info.from_cache ? " from cache" : "", nlohmann::json(info.rewrites).dump());
  return info;
}

}  // namespace pw::infer
