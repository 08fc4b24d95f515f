#include "infer/preprocess.h"

#include <cmath>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace pw::infer {

cv::Size Letterbox::Content() const {
  return {static_cast<int>(std::lround(frame.width * scale)),
          static_cast<int>(std::lround(frame.height * scale))};
}

Letterbox ComputeLetterbox(cv::Size frame, cv::Size input) {
  Letterbox lb;
  lb.frame = frame;
  lb.input = input;
  lb.scale = std::min(static_cast<double>(input.width) / frame.width,
                      static_cast<double>(input.height) / frame.height);
  const cv::Size content = lb.Content();
  // Ultralytics: top = round(dh - 0.1), left = round(dw - 0.1) with dw, dh the half paddings.
  lb.pad_x = static_cast<int>(std::lround((input.width - content.width) / 2.0 - 0.1));
  lb.pad_y = static_cast<int>(std::lround((input.height - content.height) / 2.0 - 0.1));
  return lb;
}

core::Result<cv::Mat> MakeInputBlob(const cv::Mat& bgr, cv::Size input, Letterbox* letterbox) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return core::Status::InvalidArgument("frame must be a non-empty 8-bit BGR image");
  }
  const Letterbox lb = ComputeLetterbox(bgr.size(), input);
  if (letterbox) *letterbox = lb;
  const cv::Size content = lb.Content();
  cv::Mat canvas(input, CV_8UC3, cv::Scalar(114, 114, 114));
  cv::Mat roi = canvas(cv::Rect(lb.pad_x, lb.pad_y, content.width, content.height));
  if (content == bgr.size()) {
    bgr.copyTo(roi);
  } else {
    cv::resize(bgr, roi, content, 0, 0, cv::INTER_LINEAR);
  }
  return cv::dnn::blobFromImage(canvas, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true,
                                /*crop=*/false, CV_32F);
}

}  // namespace pw::infer
