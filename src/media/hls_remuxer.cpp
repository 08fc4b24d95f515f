#include "media/hls_remuxer.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <spdlog/spdlog.h>

#include "media/adts.h"
#include "media/memory_io.h"

namespace pw::media {

using core::Status;

namespace {

constexpr AVRational kMicros{1, 1000000};
constexpr int kCancelCheckEvery = 64;   // packets between cancellation checks
constexpr double kMaxOvershootSec = 10; // read at most this far past a segment's end for audio

// Audio codecs both HLS containers (fMP4 and TS) carry and browsers commonly play.
bool OutputCarries(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_AAC:
    case AV_CODEC_ID_MP3:
    case AV_CODEC_ID_AC3:
    case AV_CODEC_ID_EAC3:
    case AV_CODEC_ID_OPUS:
      return true;
    default:
      return false;
  }
}

// Keeps only the moof and mdat boxes of a fragment (drops styp/sidx/mfra a muxer may add).
Status KeepFragmentBoxes(std::string* data) {
  std::string out;
  bool only_fragment = true;  // the usual case: nothing to drop, no copy
  for (int pass = 0; pass < 2; ++pass) {
    size_t p = 0;
    while (p + 8 <= data->size()) {
      const auto* b = reinterpret_cast<const unsigned char*>(data->data() + p);
      uint64_t size =
          (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
      if (size < 8 || p + size > data->size()) break;
      bool keep = memcmp(b + 4, "moof", 4) == 0 || memcmp(b + 4, "mdat", 4) == 0;
      only_fragment = only_fragment && keep;
      if (pass == 1 && keep) out.append(*data, p, size);
      p += size;
    }
    if (p != data->size() || p == 0) {
      return Status::Internal("the MP4 muxer produced a malformed fragment");
    }
    if (only_fragment) return Status::Ok();
  }
  data->swap(out);
  return Status::Ok();
}

}  // namespace

// Borrows an idle demuxer (or opens one) and gives it back when done.
class HlsRemuxer::DemuxerLease {
 public:
  explicit DemuxerLease(const HlsRemuxer& owner) : owner_(owner), d_(owner.TakeDemuxer()) {}
  ~DemuxerLease() {
    if (d_) owner_.ReturnDemuxer(std::move(d_));
  }
  DemuxerLease(const DemuxerLease&) = delete;
  DemuxerLease& operator=(const DemuxerLease&) = delete;
  core::Status Open() {
    if (d_) return Status::Ok();
    auto d = Demuxer::Open(owner_.path_);
    if (!d.ok()) return d.status();
    d_ = std::move(*d);
    return Status::Ok();
  }
  Demuxer& get() { return *d_; }

 private:
  const HlsRemuxer& owner_;
  std::unique_ptr<Demuxer> d_;
};

HlsRemuxer::~HlsRemuxer() = default;

std::unique_ptr<Demuxer> HlsRemuxer::TakeDemuxer() const {
  std::lock_guard lock(mu_);
  if (idle_.empty()) return nullptr;
  auto d = std::move(idle_.back());
  idle_.pop_back();
  return d;
}

void HlsRemuxer::ReturnDemuxer(std::unique_ptr<Demuxer> d) const {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_demuxers) idle_.push_back(std::move(d));
}

core::Result<std::unique_ptr<HlsRemuxer>> HlsRemuxer::Create(const std::filesystem::path& path,
                                                             KeyframeIndex index,
                                                             Options options) {
  if (index.keyframes.empty()) return Status::InvalidArgument("keyframe index is empty");
  std::unique_ptr<HlsRemuxer> r(new HlsRemuxer());
  r->path_ = path;
  r->index_ = std::move(index);
  r->options_ = options;
  r->plan_ = PlanHls(r->index_, options.plan);
  auto d = Demuxer::Open(path);
  if (!d.ok()) return d.status();
  PW_RETURN_IF_ERROR(r->SetUpStreams(**d));
  r->ReturnDemuxer(std::move(*d));
  if (options.format == SegmentFormat::kFmp4) {
    // Made once here: proves the streams fit in fMP4 before any client asks, and is immutable.
    auto out = MemoryOutput::Create();
    if (!out.ok()) return out.status();
    auto oc = r->OpenMuxer(**out, 1);
    if (!oc.ok()) {
      return Status::Unprocessable("this video (" + r->video_codec_ +
                                   ") cannot be carried in fragmented MP4; use TS segments (" +
                                   oc.status().message() + ")");
    }
    r->init_segment_ = (*out)->Take();
  }
  return r;
}

Status HlsRemuxer::SetUpStreams(Demuxer& d) {
  AVFormatContext* ctx = d.ctx();
  streams_.reserve(2);  // references returned by add() stay valid
  auto add = [&](int index) -> Stream& {
    Stream s;
    AVStream* st = ctx->streams[index];
    s.in_index = index;
    s.in_tb = st->time_base;
    s.par.reset(avcodec_parameters_alloc());
    avcodec_parameters_copy(s.par.get(), st->codecpar);
    s.par->codec_tag = 0;
    streams_.push_back(std::move(s));
    return streams_.back();
  };
  Stream& video = add(d.video_index());
  video_codec_ = avcodec_get_name(video.par->codec_id);
  if (video.par->codec_id == AV_CODEC_ID_HEVC && options_.format == SegmentFormat::kFmp4) {
    video.par->codec_tag = MKTAG('h', 'v', 'c', '1');
  }
  AVStream* vs = d.video_stream();
  AVRational rate = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : AVRational{25, 1};
  video.default_duration = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(rate), vs->time_base));

  PW_RETURN_IF_ERROR(MeasureReorder(d));

  int ai = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, d.video_index(), nullptr, 0);
  if (ai < 0) return Status::Ok();
  const AVCodecParameters* ap = ctx->streams[ai]->codecpar;
  if (!OutputCarries(ap->codec_id) || ap->sample_rate <= 0) {
    audio_note_ = std::string("audio (") + avcodec_get_name(ap->codec_id) +
                  ") is not carried in HLS; video plays without sound";
    return Status::Ok();
  }
  Stream& audio = add(ai);
  int frame = ap->frame_size > 0 ? ap->frame_size : 1024;
  audio.default_duration = av_rescale_q(frame, {1, ap->sample_rate}, audio.in_tb);
  if (ap->codec_id == AV_CODEC_ID_AAC && ap->extradata_size == 0 &&
      options_.format == SegmentFormat::kFmp4) {
    // ADTS (from TS): the init segment needs the AudioSpecificConfig before any packet is muxed.
    PacketPtr pkt = MakePacket();
    for (int n = 0; n < 2000; ++n) {
      auto more = d.Read(pkt.get());
      if (!more.ok() || !*more) break;
      AdtsHeader h;
      if (pkt->stream_index != ai || !ParseAdts(pkt->data, pkt->size, &h)) continue;
      std::string asc = AudioSpecificConfig(h);
      audio.par->extradata =
          static_cast<uint8_t*>(av_mallocz(asc.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      if (!audio.par->extradata) return Status::Internal("out of memory");
      memcpy(audio.par->extradata, asc.data(), asc.size());
      audio.par->extradata_size = static_cast<int>(asc.size());
      audio.strip_adts = true;
      break;
    }
    if (!audio.strip_adts) {
      streams_.pop_back();
      audio_note_ = "AAC audio without a readable ADTS header is not carried; video plays silent";
    }
  }
  return Status::Ok();
}

// PTS-only containers (demuxer.h): DTS will be synthesised (SynthesizeVideoDts) with the largest
// reorder delay seen in the first video packets, never less than the codec's declared delay.
Status HlsRemuxer::MeasureReorder(Demuxer& d) {
  preroll_us_ = index_.preroll_us;
  synth_dts_ = d.pts_only();
  if (!synth_dts_) return Status::Ok();
  std::vector<int64_t> pts;
  PacketPtr pkt = MakePacket();
  for (int n = 0; n < 2000 && pts.size() < 300; ++n) {
    auto more = d.Read(pkt.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (pkt->stream_index == d.video_index() && pkt->pts != AV_NOPTS_VALUE) pts.push_back(pkt->pts);
  }
  PW_RETURN_IF_ERROR(d.SeekToKeyframe(index_.keyframes.front()));
  std::vector<int64_t> sorted = pts;
  std::sort(sorted.begin(), sorted.end());
  int64_t delay = streams_[0].default_duration * streams_[0].par->video_delay;
  for (size_t k = 0; k < pts.size(); ++k) delay = std::max(delay, sorted[k] - pts[k]);
  synth_delay_ = delay;
  preroll_us_ = std::max(preroll_us_, av_rescale_q(delay, streams_[0].in_tb, kMicros));
  return Status::Ok();
}

std::string HlsRemuxer::Playlist(const std::string& init_uri,
                                 const std::function<std::string(size_t)>& segment_uri) const {
  return RenderPlaylist(plan_, options_.format, init_uri, segment_uri);
}

core::Result<OutputFormatPtr> HlsRemuxer::OpenMuxer(MemoryOutput& out,
                                                    size_t fragment_index) const {
  const bool fmp4 = options_.format == SegmentFormat::kFmp4;
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, fmp4 ? "mp4" : "mpegts", nullptr);
  if (err < 0) return Status::Internal("cannot create the muxer: " + AvErrorText(err));
  OutputFormatPtr oc(raw);
  oc->pb = out.pb();
  oc->flags |= AVFMT_FLAG_CUSTOM_IO;
  for (const Stream& s : streams_) {
    AVStream* os = avformat_new_stream(raw, nullptr);
    if (!os) return Status::Internal("out of memory adding an output stream");
    avcodec_parameters_copy(os->codecpar, s.par.get());
    os->time_base = s.par->codec_type == AVMEDIA_TYPE_VIDEO ? AVRational{1, 90000}
                                                            : AVRational{1, s.par->sample_rate};
  }
  Dict opts;
  opts.Set("avoid_negative_ts", "disabled");
  if (fmp4) {
    opts.Set("movflags", "+frag_custom+empty_moov+default_base_moof+frag_discont");
    opts.Set("use_editlist", "0");
    opts.Set("video_track_timescale", "90000");
    opts.Set("fragment_index", std::to_string(fragment_index).c_str());
  } else {
    opts.Set("mpegts_flags", "+initial_discontinuity");
  }
  err = avformat_write_header(raw, opts.ptr());
  if (err < 0) return Status::Internal("cannot start the muxer: " + AvErrorText(err));
  return oc;
}

core::Result<std::string> HlsRemuxer::InitSegment() const {
  if (options_.format != SegmentFormat::kFmp4) {
    return Status::InvalidArgument("TS playlists have no initialisation segment");
  }
  return init_segment_;
}

// Bytes between the segment's first keyframe and the next one (+10 % for container overhead), so
// the output buffer is allocated once; 0 when positions are unknown.
size_t HlsRemuxer::EstimatedBytes(const Demuxer& d, size_t i) const {
  const HlsSegment& seg = plan_.segments[i];
  int64_t begin = index_.keyframes[seg.first_keyframe].pos;
  int64_t end = seg.end_keyframe < index_.keyframes.size()
                    ? index_.keyframes[seg.end_keyframe].pos
                    : d.file_size();
  constexpr int64_t kMaxReserve = 256 << 20;
  if (begin < 0 || end <= begin) return 0;
  return static_cast<size_t>(std::min(kMaxReserve, (end - begin) * 11 / 10 + 65536));
}

core::Result<std::string> HlsRemuxer::Segment(size_t i, const CancelToken* cancel) const {
  if (i >= plan_.segments.size()) {
    return Status::NotFound("segment " + std::to_string(i) + " does not exist (the video has " +
                            std::to_string(plan_.segments.size()) + ")");
  }
  DemuxerLease lease(*this);
  PW_RETURN_IF_ERROR(lease.Open());
  auto out = MemoryOutput::Create();
  if (!out.ok()) return out.status();
  auto oc = OpenMuxer(**out, i + 1);
  if (!oc.ok()) return oc.status();
  std::string header = (*out)->Take();
  (*out)->Reserve(EstimatedBytes(lease.get(), i));
  // fMP4 keeps each track apart, so packets go straight to the muxer. TS interleaves in write
  // order and rebuilt DTS need the whole segment: those hold the segment's packets first.
  const bool hold = synth_dts_ || options_.format == SegmentFormat::kTs;
  std::vector<PacketPtr> held;
  const std::vector<int64_t> shift = Shifts(oc->get());
  auto sink = [&](PacketPtr pkt) -> Status {
    if (hold) {
      held.push_back(std::move(pkt));
      return Status::Ok();
    }
    Retime(pkt.get(), (*oc)->streams[pkt->stream_index]->time_base, shift[pkt->stream_index]);
    return WriteOne(oc->get(), pkt.get());
  };
  PW_RETURN_IF_ERROR(CollectPackets(lease.get(), i, cancel, sink));
  if (hold) PW_RETURN_IF_ERROR(WriteHeld(oc->get(), std::move(held)));
  if (options_.format == SegmentFormat::kFmp4) {
    int err = av_write_frame(oc->get(), nullptr);  // flush the fragment
    if (err < 0) return Status::Internal("cannot flush the fragment: " + AvErrorText(err));
    std::string data = (*out)->Take();
    PW_RETURN_IF_ERROR(KeepFragmentBoxes(&data));
    return data;
  }
  int err = av_write_trailer(oc->get());
  if (err < 0) return Status::Internal("cannot finish the TS segment: " + AvErrorText(err));
  return header + (*out)->Take();
}

std::vector<int64_t> HlsRemuxer::Shifts(AVFormatContext* oc) const {
  const int64_t start_us = av_rescale_q(index_.start_pts, streams_[0].in_tb, kMicros);
  std::vector<int64_t> shift(streams_.size());
  for (size_t s = 0; s < streams_.size(); ++s) {
    shift[s] = av_rescale_q(preroll_us_ - start_us, kMicros, oc->streams[s]->time_base);
  }
  return shift;
}

void HlsRemuxer::Retime(AVPacket* pkt, AVRational out_tb, int64_t shift) const {
  const Stream& st = streams_[pkt->stream_index];
  if (pkt->duration <= 0) pkt->duration = st.default_duration;
  if (pkt->dts == AV_NOPTS_VALUE) pkt->dts = pkt->pts;
  pkt->pts = av_rescale_q(pkt->pts, st.in_tb, out_tb) + shift;
  pkt->dts = av_rescale_q(pkt->dts, st.in_tb, out_tb) + shift;
  pkt->duration = av_rescale_q(pkt->duration, st.in_tb, out_tb);
  pkt->pos = -1;
}

Status HlsRemuxer::WriteHeld(AVFormatContext* oc, std::vector<PacketPtr> packets) const {
  if (synth_dts_) SynthesizeVideoDts(packets);
  const std::vector<int64_t> shift = Shifts(oc);
  for (auto& pkt : packets) {
    Retime(pkt.get(), oc->streams[pkt->stream_index]->time_base, shift[pkt->stream_index]);
  }
  // Interleave by decode time (audio may have been read well before or after its video).
  auto dts_us = [&](const PacketPtr& p) {
    return av_rescale_q(p->dts, oc->streams[p->stream_index]->time_base, kMicros);
  };
  std::stable_sort(packets.begin(), packets.end(),
                   [&](const PacketPtr& a, const PacketPtr& b) { return dts_us(a) < dts_us(b); });
  for (auto& pkt : packets) PW_RETURN_IF_ERROR(WriteOne(oc, pkt.get()));
  return Status::Ok();
}

Status HlsRemuxer::WriteOne(AVFormatContext* oc, AVPacket* pkt) {
  int err = av_write_frame(oc, pkt);
  if (err < 0) return Status::Internal("muxing failed: " + AvErrorText(err));
  return Status::Ok();
}

// Containers that store only presentation times (Matroska) give B-frame streams DTS == PTS,
// which no muxer accepts. Rebuild DTS as the sorted PTS minus a constant reorder delay: monotonic,
// never after the PTS, and continuous across segments (segments start at closed-GOP keyframes).
void HlsRemuxer::SynthesizeVideoDts(std::vector<PacketPtr>& packets) const {
  std::vector<int64_t> sorted;
  for (const auto& p : packets) {
    if (p->stream_index == 0) sorted.push_back(p->pts);
  }
  std::sort(sorted.begin(), sorted.end());
  size_t k = 0;
  int64_t delay = synth_delay_;
  for (const auto& p : packets) {
    if (p->stream_index == 0) delay = std::max(delay, sorted[k++] - p->pts);
  }
  if (delay > synth_delay_) {
    spdlog::warn("{}: reorder delay {} exceeds the file's {}; playback may stutter at a segment "
                 "boundary", path_.filename().string(), delay, synth_delay_);
  }
  k = 0;
  for (auto& p : packets) {
    if (p->stream_index == 0) p->dts = sorted[k++] - delay;
  }
}

Status HlsRemuxer::CollectPackets(Demuxer& d, size_t i, const CancelToken* cancel,
                                  const std::function<Status(PacketPtr)>& sink) const {
  const HlsSegment& seg = plan_.segments[i];
  const auto& kfs = index_.keyframes;
  const bool last = seg.end_keyframe >= kfs.size();
  const int64_t dts_begin = kfs[seg.first_keyframe].dts;
  const int64_t dts_end = last ? std::numeric_limits<int64_t>::max() : kfs[seg.end_keyframe].dts;
  const AVRational vtb{index_.time_base_num, index_.time_base_den};
  const int64_t overshoot_end =
      last ? dts_end : dts_end + av_rescale_q(kMaxOvershootSec * 1000000, kMicros, vtb);
  // Audio goes where its presentation time falls: [start of this segment, start of the next).
  const double t_begin = i == 0 ? -1e300 : seg.start_sec;
  const double t_end = last ? 1e300 : seg.start_sec + seg.duration_sec;
  const int64_t start_us = av_rescale_q(index_.start_pts, vtb, kMicros);

  std::vector<int> out_of(d.ctx()->nb_streams, -1);
  for (size_t s = 0; s < streams_.size(); ++s) out_of[streams_[s].in_index] = static_cast<int>(s);
  std::vector<bool> done(streams_.size(), false);
  // With audio, start one keyframe early: audio of this segment may be stored before its video.
  size_t seek_kf = seg.first_keyframe > 0 && has_audio() ? seg.first_keyframe - 1
                                                          : seg.first_keyframe;
  PW_RETURN_IF_ERROR(d.SeekToKeyframe(kfs[seek_kf]));

  PacketPtr pkt = MakePacket();
  bool started = false;
  auto all_done = [&] { return std::all_of(done.begin(), done.end(), [](bool b) { return b; }); };
  for (int n = 0; !all_done(); ++n) {
    if (n % kCancelCheckEvery == 0 && IsCancelled(cancel)) {
      return Status::Cancelled("segment request cancelled");
    }
    auto more = d.Read(pkt.get());
    if (!more.ok()) return more.status();
    if (!*more) break;
    int s = out_of[pkt->stream_index];
    if (s < 0) continue;
    const Stream& st = streams_[s];
    if (s == 0) {
      int64_t dts = d.DecodeTs(*pkt);
      if (dts == AV_NOPTS_VALUE || dts < dts_begin) continue;
      if (dts >= overshoot_end) break;  // an audio stream ended early: stop looking for it
      if (!started && dts != dts_begin) {
        return Status::Unprocessable("segment " + std::to_string(i) +
                                     ": its keyframe was not found where the index says; the file "
                                     "changed since indexing, re-index it");
      }
      started = true;
      if (dts >= dts_end) done[0] = true;
      if (done[0]) continue;
    } else {
      if (done[s] || pkt->pts == AV_NOPTS_VALUE) continue;
      double t = static_cast<double>(av_rescale_q(pkt->pts, st.in_tb, kMicros) - start_us) / 1e6;
      if (t < t_begin) continue;
      if (t >= t_end) {
        done[s] = true;
        continue;
      }
      AdtsHeader h;
      if (st.strip_adts && ParseAdts(pkt->data, pkt->size, &h)) {
        pkt->data += h.header_size;
        pkt->size -= h.header_size;
      }
    }
    pkt->stream_index = s;
    PacketPtr taken = MakePacket();
    if (!taken) return Status::Internal("out of memory");
    av_packet_move_ref(taken.get(), pkt.get());
    PW_RETURN_IF_ERROR(sink(std::move(taken)));
  }
  if (!started) {
    return Status::Unprocessable("segment " + std::to_string(i) +
                                 " has no video packets; the file changed since indexing");
  }
  return Status::Ok();
}

}  // namespace pw::media
