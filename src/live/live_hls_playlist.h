// Live LL-HLS playlist text: the window of recent segments and parts of one camera, rendered as
// an RFC 8216bis (HLS version 9) media playlist with parts, blocking reload and wall-clock dates.
//
// Pure data and formatting (no libav, no threads): LiveHlsStream fills a LiveHlsWindow under its
// lock and renders it. Resource names are fixed here, so the playlist and the resource lookup
// (ParseLiveHlsName) cannot disagree:
//   init-{version}.mp4   fMP4 initialisation segment (a new version after a codec change)
//   seg-{msn}.m4s        a complete media segment (its parts concatenated)
//   part-{msn}.{i}.m4s   part i of segment msn
// URIs in the playlist are relative to the playlist's URL with the prefix given to Render.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pw::live {

struct LiveHlsPart {
  std::shared_ptr<const std::string> data;  // moof + mdat
  double duration_s = 0;
  bool independent = false;  // starts with a keyframe
};

struct LiveHlsSegment {
  std::uint64_t msn = 0;
  int init_version = 1;
  bool discontinuity = false;  // first segment after a reconnect (timestamps restarted)
  std::int64_t wall_start_ms = 0;  // EXT-X-PROGRAM-DATE-TIME of its first frame
  std::vector<LiveHlsPart> parts;
  bool complete = false;
  double duration_s() const;
  std::string Bytes() const;  // the parts concatenated
};

struct LiveHlsWindow {
  const std::vector<LiveHlsSegment>* segments = nullptr;  // oldest first; the last may be in progress
  std::uint64_t discontinuity_sequence = 0;  // discontinuities that left the window
  int target_duration_s = 2;
  double part_target_s = 0.4;
  std::size_t segments_with_parts = 3;  // parts are listed for this many newest segments
};

// The playlist; `prefix` goes before every URI (e.g. "live/").
std::string RenderLiveHlsPlaylist(const LiveHlsWindow& window, std::string_view prefix);

// "2026-11-29T05:26:37.123Z"
std::string IsoDateTimeMs(std::int64_t unix_ms);

struct LiveHlsName {
  enum class Kind { kInit, kSegment, kPart } kind = Kind::kSegment;
  std::uint64_t msn = 0;    // init: the version
  std::uint64_t part = 0;
};
// nullopt when `name` is none of the three forms.
std::optional<LiveHlsName> ParseLiveHlsName(std::string_view name);
std::string LiveHlsInitName(int version);
std::string LiveHlsSegmentName(std::uint64_t msn);
std::string LiveHlsPartName(std::uint64_t msn, std::uint64_t part);

}  // namespace pw::live
