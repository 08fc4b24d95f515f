// The metadata Ultralytics writes into an exported ONNX file (ModelProto.metadata_props):
// task, class names, imgsz, stride, end2end/nms flags. Values are Python literals
// ("{0: 'pig', 1: 'cow'}", "[640, 640]", "True"); this parses the few forms Ultralytics writes.
//
// A model without metadata (exported by other tools) yields `present == false` and defaults;
// the importer then derives what it can from the graph. Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace pw::infer {

struct UltralyticsMetadata {
  bool present = false;             // any Ultralytics key found
  std::string task;                 // "detect", "segment", ... ("" when unknown)
  std::vector<std::string> names;   // class names in id order
  int imgsz_h = 0, imgsz_w = 0;     // export size (0 when unknown)
  int stride = 32;                  // largest stride of the head
  bool end2end = false;             // NMS-free head (YOLOv10/YOLO26 style)
  bool nms = false;                 // NMS baked into the graph
  bool dynamic = false;             // exported with dynamic=True
  std::string version;              // Ultralytics version that exported it
  std::string description;
};

UltralyticsMetadata ParseUltralyticsMetadata(const onnx::ModelProto& model);

// Parses "{0: 'pig', 1: \"sow\"}" into names by id (gaps filled with "class<i>").
std::vector<std::string> ParseNamesLiteral(const std::string& literal);

}  // namespace pw::infer
