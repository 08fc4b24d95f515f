// Probe: what a video file contains (container, codecs, size, timing, audio), read with
// libavformat without decoding.
//
// Errors as for Demuxer::Open: kNotFound for a missing file, kUnprocessable (with the reason) for
// an empty, truncated, corrupt or non-video file. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace pw::media {

struct AudioStreamInfo {
  int index = 0;
  std::string codec;  // FFmpeg codec name: "aac", "pcm_alaw", ...
  int sample_rate = 0;
  int channels = 0;
  int64_t bit_rate = 0;
};

struct ProbeInfo {
  std::string container;     // FFmpeg demuxer name: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
  int64_t file_size = 0;
  double duration_sec = 0;
  int64_t bit_rate = 0;      // whole file, bits/s
  std::string video_codec;   // "h264", "hevc", ...
  std::string video_profile; // "High", "Main", ... (may be empty)
  int width = 0;
  int height = 0;
  double fps = 0;            // average frame rate
  bool variable_frame_rate = false;
  int64_t video_bit_rate = 0;
  // False for codecs the browsers we target cannot decode (HEVC): the UI shows "unsupported".
  bool browser_playable = false;
  std::vector<AudioStreamInfo> audio;
};

core::Result<ProbeInfo> Probe(const std::filesystem::path& path);
nlohmann::json ToJson(const ProbeInfo& info);

}  // namespace pw::media
