#include "media/probe.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/demuxer.h"

namespace pw::media {

namespace {

constexpr int kFrameRateSamples = 600;  // DTS steps looked at to tell constant from variable rate

// DTS of the first video packets: from the container index when it lists every sample,
// otherwise by reading packets (cheap: no decoding).
std::vector<int64_t> FirstVideoDts(Demuxer& d) {
  std::vector<int64_t> dts;
  AVStream* st = d.video_stream();
  int n = avformat_index_get_entries_count(st);
  if (n > 1 && strstr(d.ctx()->iformat->name, "mp4")) {
    for (int i = 0; i < std::min(n, kFrameRateSamples); ++i) {
      dts.push_back(avformat_index_get_entry(st, i)->timestamp);
    }
    return dts;
  }
  PacketPtr pkt = MakePacket();
  for (int i = 0; i < 20 * kFrameRateSamples && dts.size() < kFrameRateSamples; ++i) {
    auto more = d.Read(pkt.get());
    if (!more.ok() || !*more) break;
    if (pkt->stream_index == d.video_index() && d.DecodeTs(*pkt) != AV_NOPTS_VALUE) {
      dts.push_back(d.DecodeTs(*pkt));
    }
  }
  return dts;
}

// Variable when frame intervals differ by more than 10 % (container rounding, e.g. Matroska's
// milliseconds at 30 fps, stays well below that).
bool IsVariableRate(std::vector<int64_t> dts) {
  std::sort(dts.begin(), dts.end());
  int64_t lo = INT64_MAX, hi = 0;
  for (size_t i = 1; i < dts.size(); ++i) {
    int64_t step = dts[i] - dts[i - 1];
    if (step <= 0) continue;
    lo = std::min(lo, step);
    hi = std::max(hi, step);
  }
  return hi > 0 && (hi - lo) * 10 > lo;
}

double ToDouble(AVRational r) { return r.num > 0 && r.den > 0 ? av_q2d(r) : 0.0; }

}  // namespace

core::Result<ProbeInfo> Probe(const std::filesystem::path& path) {
  auto opened = Demuxer::Open(path);
  if (!opened.ok()) return opened.status();
  Demuxer& d = **opened;
  AVFormatContext* ctx = d.ctx();
  AVStream* vs = d.video_stream();
  const AVCodecParameters* vp = vs->codecpar;

  ProbeInfo info;
  info.container = ctx->iformat->name;
  info.file_size = d.file_size();
  if (ctx->duration > 0) info.duration_sec = static_cast<double>(ctx->duration) / AV_TIME_BASE;
  if (vs->duration > 0) info.duration_sec = static_cast<double>(vs->duration) * av_q2d(vs->time_base);
  info.bit_rate = ctx->bit_rate;
  if (info.bit_rate <= 0 && info.duration_sec > 0) {
    info.bit_rate = static_cast<int64_t>(static_cast<double>(info.file_size) * 8 / info.duration_sec);
  }
  info.video_codec = avcodec_get_name(vp->codec_id);
  if (const char* prof = avcodec_profile_name(vp->codec_id, vp->profile)) info.video_profile = prof;
  info.width = vp->width;
  info.height = vp->height;
  info.video_bit_rate = vp->bit_rate;
  info.fps = ToDouble(vs->avg_frame_rate);
  if (info.fps <= 0) info.fps = ToDouble(vs->r_frame_rate);
  info.browser_playable = vp->codec_id == AV_CODEC_ID_H264 || vp->codec_id == AV_CODEC_ID_VP8 ||
                          vp->codec_id == AV_CODEC_ID_VP9 || vp->codec_id == AV_CODEC_ID_AV1;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVCodecParameters* p = ctx->streams[i]->codecpar;
    if (p->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    info.audio.push_back({static_cast<int>(i), avcodec_get_name(p->codec_id), p->sample_rate,
                          p->ch_layout.nb_channels, p->bit_rate});
  }
  std::vector<int64_t> dts = FirstVideoDts(d);
  info.variable_frame_rate = IsVariableRate(dts);
  if (info.variable_frame_rate && dts.size() > 1) {
    // Demuxers often report the fastest rate as the average for VFR: measure it instead.
    auto [lo, hi] = std::minmax_element(dts.begin(), dts.end());
    double span = static_cast<double>(*hi - *lo) * av_q2d(vs->time_base);
    if (span > 0) info.fps = static_cast<double>(dts.size() - 1) / span;
  }
  return info;
}

nlohmann::json ToJson(const ProbeInfo& info) {
  nlohmann::json audio = nlohmann::json::array();
  for (const auto& a : info.audio) {
    audio.push_back({{"index", a.index},
                     {"codec", a.codec},
                     {"sample_rate", a.sample_rate},
                     {"channels", a.channels},
                     {"bit_rate", a.bit_rate}});
  }
  return {{"container", info.container},
          {"file_size", info.file_size},
          {"duration", info.duration_sec},
          {"bit_rate", info.bit_rate},
          {"video",
           {{"codec", info.video_codec},
            {"profile", info.video_profile},
            {"width", info.width},
            {"height", info.height},
            {"fps", info.fps},
            {"variable_frame_rate", info.variable_frame_rate},
            {"bit_rate", info.video_bit_rate},
            {"browser_playable", info.browser_playable}}},
          {"audio", audio}};
}

}  // namespace pw::media
