// HlsPlan: how a video is cut into HLS VOD segments, and the playlist text for it.
//
// Segments start at keyframes. A segment closes at the first keyframe at least
// `min_segment_sec` after its start (so with a GOP longer than that, one GOP per segment; never
// shorter than the GOP); the last segment takes whatever remains. Pure functions of the keyframe
// index: the same index always gives the same plan, so segment numbers stay valid across
// restarts. Thread-safe (values).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "media/keyframe_index.h"

namespace pw::media {

enum class SegmentFormat { kFmp4, kTs };

struct HlsSegment {
  size_t first_keyframe = 0;  // index into KeyframeIndex::keyframes
  size_t end_keyframe = 0;    // first keyframe of the next segment (== size() for the last)
  double start_sec = 0;       // media time
  double duration_sec = 0;
};

struct HlsPlanOptions {
  double min_segment_sec = 4.0;
};

struct HlsPlan {
  std::vector<HlsSegment> segments;
  int target_duration = 0;  // ceil of the longest segment, seconds
};

HlsPlan PlanHls(const KeyframeIndex& index, const HlsPlanOptions& options = {});

// The media playlist (EXT-X-VERSION 7, VOD, ENDLIST). `init_uri` is used for fMP4's EXT-X-MAP;
// `segment_uri(i)` names segment i (relative or absolute URIs).
std::string RenderPlaylist(const HlsPlan& plan, SegmentFormat format, const std::string& init_uri,
                           const std::function<std::string(size_t)>& segment_uri);

}  // namespace pw::media
