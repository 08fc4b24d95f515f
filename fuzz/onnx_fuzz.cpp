// Fuzzes the ONNX model importer with mutated model files: parse (protobuf), Ultralytics metadata,
// the checks that refuse unusable exports, the graph rewrites and the atomic save into the cache.
// The test forward through OpenCV DNN is off: it is OpenCV's code, and seconds per input.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "fuzz_util.h"
#include "infer/importer.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pw::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pw;
  const auto path = fuzz::ScratchDir() / "best.onnx";
  fuzz::WriteBytes(path, std::string_view(reinterpret_cast<const char*>(data), size));
  infer::ImportOptions options;
  options.cache_dir = fuzz::ScratchDir() / "models";
  options.test_forward = false;
  (void)infer::ImportModel(path, options);
  std::error_code ec;
  std::filesystem::remove_all(options.cache_dir, ec);  // next input rewrites again, not a cache hit
  return 0;
}
