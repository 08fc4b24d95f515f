// Pre-processing for Ultralytics YOLO: letterbox (keep aspect, pad with grey 114, centred, the
// same rounding as Ultralytics' LetterBox), BGR→RGB, scale to [0,1], NCHW float blob.
//
// Letterbox also maps network-input pixels back to frame pixels for post-processing.
// Thread-safety: pure functions; the Letterbox value is immutable.
#pragma once

#include <opencv2/core.hpp>

#include "core/status.h"

namespace pw::infer {

struct Letterbox {
  cv::Size frame;      // original frame size
  cv::Size input;      // network input size
  double scale = 1.0;  // input pixels per frame pixel
  int pad_x = 0;       // left padding, input pixels
  int pad_y = 0;       // top padding, input pixels

  cv::Point2d ToFrame(cv::Point2d p) const { return {(p.x - pad_x) / scale, (p.y - pad_y) / scale}; }
  // Size of the resized frame inside the input (without padding).
  cv::Size Content() const;
};

Letterbox ComputeLetterbox(cv::Size frame, cv::Size input);

// `bgr` must be a non-empty CV_8UC3 image; returns a [1,3,H,W] CV_32F blob.
core::Result<cv::Mat> MakeInputBlob(const cv::Mat& bgr, cv::Size input, Letterbox* letterbox);

}  // namespace pw::infer
