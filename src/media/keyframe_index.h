// KeyframeIndex: where the keyframes of a video are (byte position, PTS, DTS) plus the few
// timing facts that HLS planning, segment remuxing and frame-at-time seeking need.
//
// Built once per video (BuildKeyframeIndex), persisted by the caller (ToBlob/FromBlob, compact
// binary; ToJson for inspection) and then shared read-only (thread-safe to read).
// Media time: seconds from the first keyframe's presentation time (the first frame shown is t=0).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "media/cancel_token.h"

namespace pw::media {

struct Keyframe {
  int64_t pts = 0;   // presentation timestamp, video stream time base
  int64_t dts = 0;   // decode timestamp, video stream time base
  int64_t pos = -1;  // byte position of the packet in the file (-1 unknown)
};

struct KeyframeIndex {
  int time_base_num = 1;  // video stream time base
  int time_base_den = 1;
  int64_t start_pts = 0;  // PTS of media time 0 (the first keyframe)
  int64_t end_pts = 0;    // PTS just after the last frame
  // How far (µs) the earliest DTS of any stream lies before media time 0 (B-frame delay, audio
  // priming); remuxed timestamps are shifted by this so none is negative.
  int64_t preroll_us = 0;
  int64_t frame_count = 0;             // video packets in the file
  bool from_container_index = false;   // true: read from the MP4 index, not by scanning
  std::vector<Keyframe> keyframes;     // in decode order, at least one

  double TimeOf(int64_t pts) const;    // media seconds of a video PTS
  int64_t PtsAt(double seconds) const; // video PTS at media time `seconds` (floor)
  double duration_sec() const { return TimeOf(end_pts); }
  // Index of the last keyframe whose PTS is <= pts (0 when pts precedes all).
  size_t KeyframeAtOrBefore(int64_t pts) const;

  std::string ToBlob() const;
  static core::Result<KeyframeIndex> FromBlob(std::string_view blob);
  nlohmann::json ToJson() const;
};

// Reads keyframe positions without decoding: from the container's own index when it has one for
// every sample (MP4), otherwise by reading every packet (MKV, TS). kCancelled when `cancel` fires.
core::Result<KeyframeIndex> BuildKeyframeIndex(const std::filesystem::path& path,
                                               const CancelToken* cancel = nullptr);

}  // namespace pw::media
