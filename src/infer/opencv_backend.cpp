#include "infer/opencv_backend.h"

#include <fmt/format.h>
#include <opencv2/dnn.hpp>

namespace pw::infer {
namespace {

class OpenCvBackend : public Backend {
 public:
  OpenCvBackend(cv::dnn::Net net, std::vector<std::string> output_names)
      : net_(std::move(net)), output_names_(std::move(output_names)) {}

  std::string name() const override { return "opencv-dnn-cpu " CV_VERSION; }
  int native_batch() const override { return 1; }

  core::Status RunBatch(const std::vector<cv::Mat>& blobs,
                        std::vector<std::vector<cv::Mat>>* outputs) override {
    outputs->clear();
    try {
      for (const auto& blob : blobs) {
        net_.setInput(blob);
        std::vector<cv::Mat> outs;
        net_.forward(outs, output_names_);
        for (auto& m : outs) m = m.clone();  // the net reuses its buffers on the next forward
        outputs->push_back(std::move(outs));
      }
    } catch (const std::exception& e) {
      return core::Status::Internal(fmt::format("OpenCV forward failed: {}", e.what()));
    }
    return core::Status::Ok();
  }

 private:
  cv::dnn::Net net_;
  std::vector<std::string> output_names_;
};

}  // namespace

core::Result<std::unique_ptr<Backend>> CreateOpenCvBackend(const ModelInfo& info) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(info.imported_path.string());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return std::unique_ptr<Backend>(std::make_unique<OpenCvBackend>(std::move(net), info.output_names));
  } catch (const std::exception& e) {
    return core::Status::Unprocessable(
        fmt::format("OpenCV cannot load {}: {}", info.imported_path.string(), e.what()));
  }
}

}  // namespace pw::infer
