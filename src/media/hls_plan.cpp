#include "media/hls_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pw::media {

HlsPlan PlanHls(const KeyframeIndex& index, const HlsPlanOptions& options) {
  HlsPlan plan;
  const auto& kfs = index.keyframes;
  size_t first = 0;
  for (size_t k = 1; k <= kfs.size(); ++k) {
    bool last = k == kfs.size();
    double start = index.TimeOf(kfs[first].pts);
    double end = last ? index.duration_sec() : index.TimeOf(kfs[k].pts);
    if (!last && end - start < options.min_segment_sec) continue;
    plan.segments.push_back({first, k, start, std::max(0.0, end - start)});
    first = k;
  }
  double longest = 0;
  for (const auto& s : plan.segments) longest = std::max(longest, s.duration_sec);
  // A few ms of slack so that 4.000000001 does not announce a 5 s target.
  plan.target_duration = std::max(1, static_cast<int>(std::ceil(longest - 1e-3)));
  return plan;
}

std::string RenderPlaylist(const HlsPlan& plan, SegmentFormat format, const std::string& init_uri,
                           const std::function<std::string(size_t)>& segment_uri) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(plan.target_duration) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  if (format == SegmentFormat::kFmp4) out += "#EXT-X-MAP:URI=\"" + init_uri + "\"\n";
  char buf[64];
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    snprintf(buf, sizeof(buf), "#EXTINF:%.6f,\n", plan.segments[i].duration_sec);
    out += buf;
    out += segment_uri(i) + "\n";
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace pw::media
