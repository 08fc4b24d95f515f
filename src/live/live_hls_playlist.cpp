#include "live/live_hls_playlist.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace pw::live {

double LiveHlsSegment::duration_s() const {
  double d = 0;
  for (const auto& p : parts) d += p.duration_s;
  return d;
}

std::string LiveHlsSegment::Bytes() const {
  std::size_t size = 0;
  for (const auto& p : parts) size += p.data->size();
  std::string out;
  out.reserve(size);
  for (const auto& p : parts) out += *p.data;
  return out;
}

std::string IsoDateTimeMs(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
}

std::string LiveHlsInitName(int version) { return fmt::format("init-{}.mp4", version); }
std::string LiveHlsSegmentName(std::uint64_t msn) { return fmt::format("seg-{}.m4s", msn); }
std::string LiveHlsPartName(std::uint64_t msn, std::uint64_t part) { return fmt::format("part-{}.{}.m4s", msn, part); }

std::string RenderLiveHlsPlaylist(const LiveHlsWindow& w, std::string_view prefix) {
  const auto& segs = *w.segments;
  std::string out;
  out.reserve(256 + segs.size() * 400);
  out += "#EXTM3U\n#EXT-X-VERSION:9\n";
  out += fmt::format("#EXT-X-TARGETDURATION:{}\n", w.target_duration_s);
  // Hold-backs: 3 parts (the minimum hls.js and Apple accept comfortably) and 3 segments.
  out += fmt::format("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3f},HOLD-BACK={:.3f}\n",
                     3 * w.part_target_s, 3.0 * w.target_duration_s);
  out += fmt::format("#EXT-X-PART-INF:PART-TARGET={:.3f}\n", w.part_target_s);
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  out += fmt::format("#EXT-X-MEDIA-SEQUENCE:{}\n", segs.empty() ? 0 : segs.front().msn);
  out += fmt::format("#EXT-X-DISCONTINUITY-SEQUENCE:{}\n", w.discontinuity_sequence);
  const std::size_t with_parts_from = segs.size() > w.segments_with_parts ? segs.size() - w.segments_with_parts : 0;
  int map_version = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const LiveHlsSegment& s = segs[i];
    if (i > 0 && s.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    if (s.init_version != map_version) {
      map_version = s.init_version;
      out += fmt::format("#EXT-X-MAP:URI=\"{}{}\"\n", prefix, LiveHlsInitName(map_version));
    }
    out += "#EXT-X-PROGRAM-DATE-TIME:" + IsoDateTimeMs(s.wall_start_ms) + "\n";
    if (i >= with_parts_from) {
      for (std::size_t p = 0; p < s.parts.size(); ++p) {
        out += fmt::format("#EXT-X-PART:DURATION={:.5f},URI=\"{}{}\"{}\n", s.parts[p].duration_s, prefix,
                           LiveHlsPartName(s.msn, p), s.parts[p].independent ? ",INDEPENDENT=YES" : "");
      }
    }
    if (s.complete) out += fmt::format("#EXTINF:{:.5f},\n{}{}\n", s.duration_s(), prefix, LiveHlsSegmentName(s.msn));
  }
  if (!segs.empty()) {
    const LiveHlsSegment& last = segs.back();
    const std::uint64_t msn = last.complete ? last.msn + 1 : last.msn;
    const std::uint64_t part = last.complete ? 0 : last.parts.size();
    out += fmt::format("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{}{}\"\n", prefix, LiveHlsPartName(msn, part));
  }
  return out;
}

namespace {

bool ParseNumber(std::string_view s, std::uint64_t* v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool StripAffixes(std::string_view* s, std::string_view prefix, std::string_view suffix) {
  if (s->size() < prefix.size() + suffix.size() || s->substr(0, prefix.size()) != prefix ||
      s->substr(s->size() - suffix.size()) != suffix) {
    return false;
  }
  *s = s->substr(prefix.size(), s->size() - prefix.size() - suffix.size());
  return true;
}

}  // namespace

std::optional<LiveHlsName> ParseLiveHlsName(std::string_view name) {
  LiveHlsName n;
  std::string_view s = name;
  if (StripAffixes(&s, "init-", ".mp4")) {
    n.kind = LiveHlsName::Kind::kInit;
    if (!ParseNumber(s, &n.msn)) return std::nullopt;
    return n;
  }
  s = name;
  if (StripAffixes(&s, "seg-", ".m4s")) {
    n.kind = LiveHlsName::Kind::kSegment;
    if (!ParseNumber(s, &n.msn)) return std::nullopt;
    return n;
  }
  s = name;
  if (StripAffixes(&s, "part-", ".m4s")) {
    n.kind = LiveHlsName::Kind::kPart;
    auto dot = s.find('.');
    if (dot == std::string_view::npos || !ParseNumber(s.substr(0, dot), &n.msn) ||
        !ParseNumber(s.substr(dot + 1), &n.part)) {
      return std::nullopt;
    }
    return n;
  }
  return std::nullopt;
}

}  // namespace pw::live
