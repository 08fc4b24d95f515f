// Test videos made with the ffmpeg CLI at test time. Every frame carries its own frame number
// as a row of black/white blocks (bit i of the number in block i, 20x40 px, LSB on the left), so a
// decoded picture says exactly which frame it is.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace pw::media::test {

struct VideoSpec {
  std::string container = "mp4";  // mp4, mkv, ts
  std::string codec = "libx264";  // or libx265
  int gop = 25;                   // frames between keyframes
  int fps = 25;
  double seconds = 12;
  int width = 320;
  int height = 240;
  bool audio = false;             // AAC 48 kHz sine
  bool vfr = false;               // every 5th frame interval is 1.5x longer
  bool fragmented = false;        // fragmented MP4 (moof per keyframe), as some recorders write
};

// Writes the video to `dir/name` and returns its path (aborts the test on failure).
std::filesystem::path MakeVideo(const std::filesystem::path& dir, const std::string& name,
                                const VideoSpec& spec);

// Like MakeVideo, but made once per test process (in a shared temp dir) and reused by name.
std::filesystem::path SharedVideo(const std::string& name, const VideoSpec& spec);

// The frame number encoded in a BGR picture of the full frame width (-1 if unreadable).
int ReadFrameNumber(const cv::Mat& bgr);

// Presentation times (seconds) of every video frame of a file or playlist, by ffprobe.
std::vector<double> ProbeFrameTimes(const std::string& input);

}  // namespace pw::media::test
