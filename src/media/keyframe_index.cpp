#include "media/keyframe_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "media/demuxer.h"

namespace pw::media {

using core::Status;

double KeyframeIndex::TimeOf(int64_t pts) const {
  return static_cast<double>(pts - start_pts) * time_base_num / time_base_den;
}

int64_t KeyframeIndex::PtsAt(double seconds) const {
  // A small epsilon so that t = k/fps (a frame's exact time) maps onto that frame, not before it.
  double ticks = seconds * time_base_den / time_base_num;
  return start_pts + static_cast<int64_t>(std::floor(ticks + 1e-6));
}

size_t KeyframeIndex::KeyframeAtOrBefore(int64_t pts) const {
  // Keyframes are in decode order; with closed GOPs their PTS increase too.
  auto it = std::upper_bound(keyframes.begin(), keyframes.end(), pts,
                             [](int64_t p, const Keyframe& k) { return p < k.pts; });
  return it == keyframes.begin() ? 0 : static_cast<size_t>(it - keyframes.begin() - 1);
}

namespace {

constexpr AVRational kMicros{1, 1000000};
constexpr int kMaxLeadPackets = 2000;  // packets read to find every stream's first DTS

bool IsMuxedStream(const AVStream* st) {
  auto type = st->codecpar->codec_type;
  return type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO;
}

// Earliest DTS (µs) among the first packets of each audio/video stream.
struct FirstPackets {
  std::map<int, int64_t> first_dts_us;
  int64_t MinUs() const {
    int64_t m = std::numeric_limits<int64_t>::max();
    for (const auto& [s, us] : first_dts_us) m = std::min(m, us);
    return m;
  }
  void Note(AVFormatContext* ctx, const AVPacket& p) {
    AVStream* st = ctx->streams[p.stream_index];
    int64_t dts = PacketDts(p);
    if (!IsMuxedStream(st) || dts == AV_NOPTS_VALUE) return;
    first_dts_us.try_emplace(p.stream_index, av_rescale_q(dts, st->time_base, kMicros));
  }
};

int64_t FrameTicks(const AVStream* st) {
  AVRational rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) rate = {25, 1};
  return std::max<int64_t>(1, av_rescale_q(1, av_inv_q(rate), st->time_base));
}

void Finish(const Demuxer& d, const FirstPackets& first, KeyframeIndex* idx) {
  AVStream* st = d.video_stream();
  idx->time_base_num = st->time_base.num;
  idx->time_base_den = st->time_base.den;
  idx->start_pts = idx->keyframes.front().pts;
  int64_t start_us = av_rescale_q(idx->start_pts, st->time_base, kMicros);
  idx->preroll_us = std::max<int64_t>(0, start_us - std::min(first.MinUs(), start_us));
}

core::Result<KeyframeIndex> ByScanning(Demuxer& d, const CancelToken* cancel) {
  KeyframeIndex idx;
  FirstPackets first;
  PacketPtr pkt = MakePacket();
  const AVStream* st = d.video_stream();
  const int64_t frame_ticks = FrameTicks(st);
  int64_t end_pts = std::numeric_limits<int64_t>::min();
  for (int64_t n = 0;; ++n) {
    if ((n & 255) == 0 && IsCancelled(cancel)) return Status::Cancelled("keyframe scan cancelled");
    auto more = d.Read(pkt.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    first.Note(d.ctx(), *pkt);
    if (pkt->stream_index != d.video_index()) continue;
    int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (pts == AV_NOPTS_VALUE) continue;
    bool key = pkt->flags & AV_PKT_FLAG_KEY;
    if (idx.keyframes.empty() && !key) continue;  // undecodable lead-in before the first keyframe
    if (key) idx.keyframes.push_back({pts, d.DecodeTs(*pkt), pkt->pos});
    ++idx.frame_count;
    end_pts = std::max(end_pts, pts + (pkt->duration > 0 ? pkt->duration : frame_ticks));
  }
  if (idx.keyframes.empty()) {
    return Status::Unprocessable("the video stream of " + d.path().filename().string() +
                                 " contains no keyframe; it cannot be played or seeked");
  }
  idx.end_pts = end_pts;
  Finish(d, first, &idx);
  return idx;
}

// MP4/MOV: every sample is in the index with its DTS and position. PTS = DTS + the composition
// offset of the first keyframe, checked against the real packet of the last keyframe.
core::Result<KeyframeIndex> FromContainerIndex(Demuxer& d) {
  AVStream* st = d.video_stream();
  const int n = avformat_index_get_entries_count(st);
  KeyframeIndex idx;
  idx.from_container_index = true;
  idx.frame_count = n;
  for (int i = 0; i < n; ++i) {
    const AVIndexEntry* e = avformat_index_get_entry(st, i);
    if (e->flags & AVINDEX_KEYFRAME) idx.keyframes.push_back({e->timestamp, e->timestamp, e->pos});
  }
  if (idx.keyframes.empty()) return Status::NotFound("no keyframes in the container index");

  FirstPackets first;
  PacketPtr pkt = MakePacket();
  int64_t composition = AV_NOPTS_VALUE;
  for (int i = 0; i < kMaxLeadPackets; ++i) {
    auto more = d.Read(pkt.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    first.Note(d.ctx(), *pkt);
    if (composition == AV_NOPTS_VALUE && pkt->stream_index == d.video_index() &&
        PacketDts(*pkt) == idx.keyframes.front().dts && pkt->pts != AV_NOPTS_VALUE) {
      composition = pkt->pts - pkt->dts;
    }
    if (composition != AV_NOPTS_VALUE && first.first_dts_us.size() >= d.ctx()->nb_streams) break;
  }
  if (composition == AV_NOPTS_VALUE) return Status::NotFound("first keyframe not readable");
  for (auto& k : idx.keyframes) k.pts = k.dts + composition;

  const Keyframe& last = idx.keyframes.back();
  PW_RETURN_IF_ERROR(d.SeekToKeyframe(last));
  bool verified = false;
  for (int i = 0; i < kMaxLeadPackets; ++i) {
    auto more = d.Read(pkt.get());
    if (!more.ok() || !*more) break;
    if (pkt->stream_index != d.video_index()) continue;
    verified = PacketDts(*pkt) == last.dts && pkt->pts == last.pts;
    break;
  }
  if (!verified) return Status::NotFound("container index timestamps do not match the packets");

  int64_t start = st->start_time != AV_NOPTS_VALUE ? st->start_time : idx.keyframes.front().pts;
  idx.end_pts = st->duration > 0 ? start + st->duration : last.pts + FrameTicks(st);
  // An index that stops well before the end (fragments not read at open) is not the whole file.
  const int64_t last_sample = avformat_index_get_entry(st, n - 1)->timestamp;
  if ((st->nb_frames > 0 && st->nb_frames != n) ||
      av_rescale_q(idx.end_pts - last_sample, st->time_base, kMicros) > 5000000) {
    return Status::NotFound("container index does not cover the whole stream");
  }
  Finish(d, first, &idx);
  return idx;
}

}  // namespace

core::Result<KeyframeIndex> BuildKeyframeIndex(const std::filesystem::path& path,
                                               const CancelToken* cancel) {
  auto d = Demuxer::Open(path);
  if (!d.ok()) return d.status();
  if (strstr((*d)->ctx()->iformat->name, "mp4") &&
      avformat_index_get_entries_count((*d)->video_stream()) > 0) {
    auto idx = FromContainerIndex(**d);
    if (idx.ok() || idx.status().code() != core::Code::kNotFound) return idx;
    d = Demuxer::Open(path);  // fall back to a scan from the start
    if (!d.ok()) return d.status();
  }
  return ByScanning(**d, cancel);
}

// ---- serialisation -------------------------------------------------------------------------

namespace {

constexpr char kMagic[4] = {'P', 'W', 'K', 'I'};
constexpr uint8_t kBlobVersion = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= s_.size()) return false;
      auto b = static_cast<uint8_t>(s_[p_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  bool done() const { return p_ == s_.size(); }

 private:
  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace

std::string KeyframeIndex::ToBlob() const {
  std::string out(kMagic, sizeof(kMagic));
  out.push_back(static_cast<char>(kBlobVersion));
  PutSigned(&out, time_base_num);
  PutSigned(&out, time_base_den);
  PutSigned(&out, start_pts);
  PutSigned(&out, end_pts);
  PutSigned(&out, preroll_us);
  PutSigned(&out, frame_count);
  PutVarint(&out, from_container_index ? 1 : 0);
  PutVarint(&out, keyframes.size());
  Keyframe prev;
  prev.pos = 0;
  for (const auto& k : keyframes) {  // deltas keep the blob at a few bytes per keyframe
    PutSigned(&out, k.pts - prev.pts);
    PutSigned(&out, k.dts - prev.dts);
    PutSigned(&out, k.pos - prev.pos);
    prev = k;
  }
  return out;
}

core::Result<KeyframeIndex> KeyframeIndex::FromBlob(std::string_view blob) {
  auto bad = Status::Unprocessable("stored keyframe index is damaged or of another version; "
                                   "rebuild it");
  if (blob.size() < 5 || memcmp(blob.data(), kMagic, 4) != 0 ||
      static_cast<uint8_t>(blob[4]) != kBlobVersion) {
    return bad;
  }
  Reader r(blob.substr(5));
  KeyframeIndex idx;
  int64_t num, den;
  uint64_t flags, count;
  if (!r.Signed(&num) || !r.Signed(&den) || !r.Signed(&idx.start_pts) || !r.Signed(&idx.end_pts) ||
      !r.Signed(&idx.preroll_us) || !r.Signed(&idx.frame_count) || !r.Varint(&flags) ||
      !r.Varint(&count) || num <= 0 || den <= 0 || num > INT32_MAX || den > INT32_MAX ||
      count == 0 || count > blob.size()) {
    return bad;
  }
  idx.time_base_num = static_cast<int>(num);
  idx.time_base_den = static_cast<int>(den);
  idx.from_container_index = flags & 1;
  Keyframe prev;
  prev.pos = 0;
  idx.keyframes.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    int64_t dp, dd, dpos;
    if (!r.Signed(&dp) || !r.Signed(&dd) || !r.Signed(&dpos)) return bad;
    Keyframe k{prev.pts + dp, prev.dts + dd, prev.pos + dpos};
    idx.keyframes.push_back(k);
    prev = k;
  }
  if (!r.done()) return bad;
  return idx;
}

nlohmann::json KeyframeIndex::ToJson() const {
  nlohmann::json kf = nlohmann::json::array();
  for (const auto& k : keyframes) {
    kf.push_back({{"t", TimeOf(k.pts)}, {"pts", k.pts}, {"dts", k.dts}, {"pos", k.pos}});
  }
  return {{"time_base", {time_base_num, time_base_den}},
          {"start_pts", start_pts},
          {"end_pts", end_pts},
          {"duration", duration_sec()},
          {"preroll_us", preroll_us},
          {"frame_count", frame_count},
          {"from_container_index", from_container_index},
          {"keyframes", kf}};
}

}  // namespace pw::media
