// The CPU backend: OpenCV 4.6 DNN running the imported ONNX graph (see importer.h).
//
// Each backend owns one cv::dnn::Net; create one per worker. OpenCV's thread count is process-wide
// (cv::setNumThreads), so "threads per net" is set once by the engine, not per backend.
#pragma once

#include <memory>

#include "core/status.h"
#include "infer/backend.h"
#include "infer/model_info.h"

namespace pw::infer {

// Loads info.imported_path; kUnprocessable when OpenCV cannot read it.
core::Result<std::unique_ptr<Backend>> CreateOpenCvBackend(const ModelInfo& info);

}  // namespace pw::infer
