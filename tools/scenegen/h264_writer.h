// H264Writer: writes BGR frames as an H.264 MP4 by piping raw video into the `ffmpeg` CLI
// (libx264, constant frame rate, fixed GOP, no B-frames, yuv420p, +faststart).
//
// Contract: Open() starts ffmpeg; Write() each frame (same size as opened, 8UC3); Close() ends the
// stream, waits for ffmpeg and reports its failure with its stderr. The destructor closes an open
// writer (ignoring errors): call Close() to know the file is good. SIGPIPE from a dead ffmpeg is
// blocked on the writing thread and reported as a Status. Needs `ffmpeg` in PATH.
//
// Thread-safety: one thread at a time.
#pragma once

#include <sys/types.h>

#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"

namespace pw::scenegen {

struct H264Settings {
  int width = 640;
  int height = 384;
  int fps = 25;
  int gop = 50;        // frames between keyframes
  int crf = 23;
  std::string preset = "veryfast";
};

class H264Writer {
 public:
  H264Writer() = default;
  ~H264Writer();
  H264Writer(const H264Writer&) = delete;
  H264Writer& operator=(const H264Writer&) = delete;

  core::Status Open(const std::string& path, const H264Settings& settings);
  core::Status Write(const cv::Mat& frame);
  core::Status Close();

 private:
  H264Settings settings_;
  std::string path_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stderr_fd_ = -1;
};

}  // namespace pw::scenegen
