// Backend: the seam between the engine and whatever runs the network.
//
// The CPU backend (OpenCV 4.6 DNN, opencv_backend.h) runs the frames of a batch one by one: these
// graphs have batch 1 baked into their Reshape constants, and batching gives no per-frame gain on
// a CPU. A GPU backend (TensorRT / ONNX Runtime CUDA / CUDA-enabled OpenCV) would run a batch as
// one forward; the engine already hands it up to BATCH frames at once.
//
// Contract: one caller at a time (each engine worker owns its own backend). Outputs are owned
// copies (they stay valid after the next call). Errors come back as a Status, never as exceptions.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace pw::infer {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Frames one RunBatch runs as a single device batch (1: one by one).
  virtual int native_batch() const = 0;
  // Runs the network on each [1,3,H,W] blob; (*outputs)[i] holds blob i's outputs, output0 first.
  virtual core::Status RunBatch(const std::vector<cv::Mat>& blobs,
                                std::vector<std::vector<cv::Mat>>* outputs) = 0;
};

}  // namespace pw::infer
