// Graph rewrites that make Ultralytics YOLO exports run on OpenCV 4.6 DNN, and that re-target a
// static export to another input size (e.g. 640x384 for 16:9 video).
//
// Why each exists (measured on Debian 12, see tests/data/infer/README.md):
// - OpenCV 4.6 ignores the sizes input of an opset>=13 Split and splits evenly: uneven constant
//   splits become Slice nodes.
// - OpenCV 4.6 turns Mul-by-constant into a Scale layer that cannot broadcast a (1,A) stride
//   constant over the (1,4,A) boxes: the constant is tiled to the full (1,4,A) shape.
// - A static export bakes its square size into anchor points, strides and Reshape shapes of the
//   head (and the attention block); RetargetInputSize recomputes them for another size.
//
// Each function edits the graph in place and returns how many places it changed (or a Status when
// the graph holds something it does not understand). Thread-safety: none (caller owns the graph).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/status.h"

namespace pw::infer {

// Geometry of a YOLO detection head: input size and strides of its levels (e.g. 8, 16, 32).
struct HeadGeometry {
  int width = 0;
  int height = 0;
  std::vector<int> strides;

  // Anchors over all levels: sum of (H/s)*(W/s).
  int64_t Anchors() const;
  // (rows, cols) of each level's grid.
  std::vector<std::pair<int, int>> Grids() const;
  // Anchor centres (x row then y row, 2*A values), as Ultralytics' make_anchors builds them.
  std::vector<float> AnchorPoints() const;
  // Stride of each anchor (A values).
  std::vector<float> AnchorStrides() const;
};

// The usual stride sets whose anchor count at width x height equals `anchors` (empty if none).
std::vector<int> GuessHeadStrides(int width, int height, int64_t anchors);

int ConstantNodesToInitializers(onnx::GraphProto* graph);
core::Result<int> UnevenSplitsToSlices(onnx::GraphProto* graph, int opset);
int BroadcastStrideMul(onnx::GraphProto* graph, int64_t anchors);
// x * Sigmoid(x) (SiLU, ~85 pairs in a YOLO11n) → one OpenCV "Swish" layer: ~5-8 % faster forward.
// The result is no longer standard ONNX (Swish is an OpenCV layer type): it is a cache for OpenCV.
int SigmoidMulToSwish(onnx::GraphProto* graph);
core::Result<int> RetargetInputSize(onnx::GraphProto* graph, const HeadGeometry& from,
                                    const HeadGeometry& to);

// Sets the first graph input to [1, channels, height, width] and forgets intermediate shapes.
void PinInputShape(onnx::GraphProto* graph, int channels, int height, int width);

bool HasOp(const onnx::GraphProto& graph, const std::string& op_type);
const onnx::TensorProto* FindInitializer(const onnx::GraphProto& graph, const std::string& name);

// Values of an int64 or float initializer (raw_data or typed fields).
std::vector<int64_t> Int64Values(const onnx::TensorProto& t);
std::vector<float> FloatValues(const onnx::TensorProto& t);

}  // namespace pw::infer
