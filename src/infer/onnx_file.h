// Reading, checking and writing ONNX model files with Debian's libonnx (protobuf classes).
//
// ReadOnnxFile refuses, with a message an IT person can act on, what is not a usable ONNX model:
// a missing or empty file, bytes that are not an ONNX protobuf (a text file, garbage), a file cut
// short (truncated download: the graph refers to tensors that are not there). WriteOnnxFile writes
// atomically (temp file + rename), so a crash never leaves a half-written model in the cache.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <filesystem>
#include <string>

#include <onnx/onnx_pb.h>

#include "core/status.h"

namespace pw::infer {

core::Result<onnx::ModelProto> ReadOnnxFile(const std::filesystem::path& path);
core::Status WriteOnnxFile(const onnx::ModelProto& model, const std::filesystem::path& path);

// The default-domain opset the model was exported with (0 when absent).
int OnnxOpset(const onnx::ModelProto& model);

// SHA-256 of a file's content as 64 lowercase hex digits.
core::Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace pw::infer
