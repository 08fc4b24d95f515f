#include "live/live_hls_stream.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <spdlog/spdlog.h>

#include "media/memory_io.h"
#include "media/picture_size.h"

namespace pw::live {

using core::Status;

namespace {

constexpr AVRational k90k{1, 90000};
constexpr std::size_t kMaxInitVersions = 4;  // init segments kept for the segments still in the ring

std::int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The SPS and PPS NAL units (with start codes) of an Annex B keyframe, for cameras whose SDP has
// no sprop-parameter-sets: the fMP4 init segment needs them before the first fragment.
std::string AnnexBParameterSets(const AVPacket& pkt) {
  std::string out;
  const uint8_t* d = pkt.data;
  const int n = pkt.size;
  auto next_start = [&](int from) {
    for (int i = from; i + 3 <= n; ++i) {
      if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) return i;
    }
    return n;
  };
  int sc = next_start(0);
  while (sc < n) {
    int nal = sc + 3;
    int end = next_start(nal);
    int type = nal < n ? (d[nal] & 0x1f) : 0;
    int trimmed = end;
    while (trimmed > nal && d[trimmed - 1] == 0) --trimmed;  // zero_byte of the next 4-byte start code
    if (type == 7 || type == 8) {
      out.append("\0\0\0\1", 4);
      out.append(reinterpret_cast<const char*>(d + nal), static_cast<size_t>(trimmed - nal));
    }
    sc = end;
  }
  return out;
}

// Whether the first slice of an Annex B H.264 access unit is the picture's first one
// (first_mb_in_slice == 0, i.e. the slice header's first bit is 1): after a join or a loss, a
// picture may begin with a later slice and would decode with its top missing. True when unsure.
bool StartsAtFirstSlice(const AVPacket& pkt) {
  const uint8_t* d = pkt.data;
  const int n = pkt.size;
  if (n < 4 || !(d[0] == 0 && d[1] == 0 && (d[2] == 1 || (d[2] == 0 && d[3] == 1)))) return true;
  for (int i = 0; i + 4 < n; ++i) {
    if (d[i] != 0 || d[i + 1] != 0 || d[i + 2] != 1) continue;
    const int type = d[i + 3] & 0x1f;
    if (type == 1 || type == 5) return (d[i + 4] & 0x80) != 0;
  }
  return true;
}

}  // namespace

struct LiveHlsStream::Muxer {
  std::unique_ptr<media::MemoryOutput> out;  // declared first: outlives the muxer using it
  media::OutputFormatPtr oc;
  media::PacketPtr scratch = media::MakePacket();
  AVRational out_tb{1, 90000};
};

LiveHlsStream::LiveHlsStream(std::string camera_id, LiveHlsStreamOptions options)
    : camera_id_(std::move(camera_id)), options_(options) {
  target_duration_s_ = std::max(1, static_cast<int>(std::ceil(options_.segment_target_s)));
  part_target_s_ = options_.part_target_s;
}

LiveHlsStream::~LiveHlsStream() = default;

void LiveHlsStream::Unsupported(std::string reason) {
  if (unsupported_.empty()) spdlog::warn("live hls: camera {}: {}", camera_id_, reason);
  unsupported_ = std::move(reason);
}

void LiveHlsStream::OnOpen(const std::vector<StreamInfo>& streams) {
  {
    std::lock_guard lock(mu_);
    CloseConnection();
    open_ = true;
    ++connections_;
    waiting_key_ = true;
    video_index_ = -1;
    codecpar_ = nullptr;
    unsupported_.clear();
    for (const auto& s : streams) {
      if (s.type != AVMEDIA_TYPE_VIDEO || !s.codecpar) continue;
      video_index_ = s.index;
      in_tb_ = s.time_base;
      codecpar_ = s.codecpar;
      break;
    }
    if (video_index_ < 0) {
      Unsupported("the camera stream has no video");
    } else if (codecpar_->codec_id != AV_CODEC_ID_H264) {
      Unsupported(std::string("the camera sends ") + avcodec_get_name(codecpar_->codec_id) +
                  " video, which browsers do not play in live HLS without a transcode; set the camera's "
                  "encoder to H.264, or use the MJPEG view");
    }
    if (unsupported_.empty()) return;
  }
  WakeAll();  // waiting requests learn the reason now
}

void LiveHlsStream::OnPacket(const StreamInfo& stream, const AVPacket& packet) {
  {
    std::lock_guard lock(mu_);
    if (!open_ || stream.index != video_index_ || !unsupported_.empty()) return;
    if (packet.pts == AV_NOPTS_VALUE && packet.dts == AV_NOPTS_VALUE) return;
    last_packet_ = Clock::now();
    // libavformat's RTP depacketizer may hand one picture over in several packets (slices, or
    // parameter sets apart) with the same timestamp: one MP4 sample each would not decode. They are
    // gathered into one access unit, written when the next picture begins (one frame of delay).
    const std::int64_t ts = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
    if (has_pending_ && ts == pending_ts_) {
      AppendToPending(packet);
    } else {
      FlushAccessUnit();
      if (av_packet_ref(pending_.get(), &packet) == 0) {
        has_pending_ = true;
        pending_ts_ = ts;
        pending_wall_ms_ = WallNowMs();
      }
    }
  }
  Notify();
}

void LiveHlsStream::AppendToPending(const AVPacket& packet) {
  AVPacket* p = pending_.get();
  const int old_size = p->size;
  if (av_packet_make_writable(p) < 0 || av_grow_packet(p, packet.size) < 0) return;
  memcpy(p->data + old_size, packet.data, static_cast<size_t>(packet.size));
  p->flags |= packet.flags & AV_PKT_FLAG_KEY;
}

void LiveHlsStream::FlushAccessUnit() {
  if (!has_pending_) return;
  has_pending_ = false;
  const AVPacket& au = *pending_;
  if (waiting_key_ && (au.flags & AV_PKT_FLAG_KEY) && StartsAtFirstSlice(au)) {
    if (auto st = OpenMuxer(au); !st.ok()) {
      Unsupported(st.message());
    } else {
      waiting_key_ = false;
    }
  }
  // Before the first keyframe (joined mid-GOP) pictures are skipped.
  if (!waiting_key_ && unsupported_.empty()) WritePacket(au);
  av_packet_unref(pending_.get());
}

void LiveHlsStream::OnClose(const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    spdlog::debug("live hls: camera {} closed: {}", camera_id_, reason);
    CloseConnection();
  }
  Notify();
}

void LiveHlsStream::CloseConnection() {
  if (open_ && codecpar_) FlushAccessUnit();
  has_pending_ = false;
  av_packet_unref(pending_.get());
  if (mux_) {
    FinishPart();
    FinishSegment();
    mux_.reset();
    next_discontinuity_ = true;
  }
  open_ = false;
  codecpar_ = nullptr;
  waiting_key_ = true;
  part_open_ = false;
}

Status LiveHlsStream::OpenMuxer(const AVPacket& first_key) {
  auto mux = std::make_unique<Muxer>();
  auto out = media::MemoryOutput::Create();
  if (!out.ok()) return out.status();
  mux->out = std::move(*out);
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr);
  if (err < 0) return Status::Internal("cannot create the MP4 muxer: " + media::AvErrorText(err));
  mux->oc.reset(raw);
  raw->pb = mux->out->pb();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  AVStream* os = avformat_new_stream(raw, nullptr);
  if (!os) return Status::Internal("out of memory adding the output stream");
  avcodec_parameters_copy(os->codecpar, codecpar_);
  os->codecpar->codec_tag = 0;
  if (os->codecpar->extradata_size == 0) {
    std::string sets = AnnexBParameterSets(first_key);
    if (sets.empty()) {
      return Status::Unprocessable("the camera's H.264 has no SPS/PPS (neither in the SDP nor before the keyframe)");
    }
    os->codecpar->extradata = static_cast<uint8_t*>(av_mallocz(sets.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    memcpy(os->codecpar->extradata, sets.data(), sets.size());
    os->codecpar->extradata_size = static_cast<int>(sets.size());
  }
  media::FillPictureSizeFromKeyframe(os->codecpar, first_key);
  if (os->codecpar->width <= 0 || os->codecpar->height <= 0) {
    return Status::Unprocessable("the size of the camera's H.264 picture cannot be read from its SPS");
  }
  os->time_base = k90k;
  media::Dict opts;
  opts.Set("avoid_negative_ts", "disabled");
  opts.Set("movflags", "+frag_custom+empty_moov+default_base_moof+frag_discont");
  opts.Set("use_editlist", "0");
  opts.Set("video_track_timescale", "90000");
  opts.Set("fragment_index", std::to_string(parts_made_ + 1).c_str());
  err = avformat_write_header(raw, opts.ptr());
  if (err < 0) return Status::Unprocessable("the camera's video cannot be carried in fMP4: " + media::AvErrorText(err));
  mux->out_tb = os->time_base;
  auto init = std::make_shared<const std::string>(mux->out->Take());
  if (inits_.empty() || *inits_.back().second != *init) {
    const int version = inits_.empty() ? 1 : inits_.back().first + 1;
    inits_.emplace_back(version, std::move(init));
    if (inits_.size() > kMaxInitVersions) inits_.pop_front();
  }
  mux_ = std::move(mux);
  const std::int64_t dts = first_key.dts != AV_NOPTS_VALUE ? first_key.dts : first_key.pts;
  in_origin_ = av_rescale_q(dts, in_tb_, k90k);
  // Room for the reorder delay of rebuilt DTS (WritePacket): they stay after the previous connection's.
  out_origin_ = timeline_end_ + kReorderFrames * frame_dur_;
  pts_step_ = 0;
  recent_pts_.fill(AV_NOPTS_VALUE);
  wall_origin_ms_ = pending_wall_ms_;  // when the keyframe began to arrive
  last_out_dts_ = -1;
  return Status::Ok();
}

void LiveHlsStream::WritePacket(const AVPacket& packet) {
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  std::int64_t dts = packet.dts != AV_NOPTS_VALUE ? packet.dts : packet.pts;
  std::int64_t pts = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
  const bool pts_only = packet.dts == AV_NOPTS_VALUE || packet.dts == packet.pts;
  dts = av_rescale_q(dts, in_tb_, k90k) - in_origin_ + out_origin_;
  pts = av_rescale_q(pts, in_tb_, k90k) - in_origin_ + out_origin_;
  if (pts_only) dts = RebuiltDts(pts, key);
  if (last_out_dts_ >= 0) {
    if (dts <= last_out_dts_) dts = last_out_dts_ + 1;  // a muxer needs strictly increasing DTS
    else frame_dur_ = std::clamp<std::int64_t>(dts - last_out_dts_, 1, 90000);
  }
  pts = std::max(pts, dts);
  std::int64_t dur = packet.duration > 0 ? av_rescale_q(packet.duration, in_tb_, k90k) : frame_dur_;

  // A keyframe past the segment target closes the part and the segment.
  if (key && !segments_.empty() && !segments_.back().complete &&
      dts - seg_start_ >= static_cast<std::int64_t>(options_.segment_target_s * 90000 * 0.97)) {
    FinishPart();
    FinishSegment();
  }
  if (segments_.empty() || segments_.back().complete) {
    LiveHlsSegment seg;
    seg.msn = next_msn_;
    seg.init_version = inits_.back().first;
    seg.discontinuity = next_discontinuity_ && !segments_.empty();
    seg.wall_start_ms = wall_origin_ms_ + (pts - out_origin_) / 90;
    next_discontinuity_ = false;
    segments_.push_back(std::move(seg));
    seg_start_ = dts;
  }
  if (!part_open_) {
    part_open_ = true;
    part_start_ = dts;
    part_independent_ = key;
  }
  AVPacket* p = mux_->scratch.get();
  av_packet_unref(p);
  if (av_packet_ref(p, &packet) < 0) return;
  p->stream_index = 0;
  p->dts = av_rescale_q(dts, k90k, mux_->out_tb);
  p->pts = av_rescale_q(pts, k90k, mux_->out_tb);
  p->duration = av_rescale_q(dur, k90k, mux_->out_tb);
  if (int err = av_write_frame(mux_->oc.get(), p); err < 0) {
    spdlog::warn("live hls: camera {}: a packet was dropped: {}", camera_id_, media::AvErrorText(err));
  }
  av_packet_unref(p);
  last_out_dts_ = dts;
  timeline_end_ = dts + dur;
  // Close the part when the next frame would not fit in the part target.
  const auto target = static_cast<std::int64_t>(options_.part_target_s * 90000);
  if (timeline_end_ - part_start_ + dur > target) FinishPart();
}

// RTSP gives presentation times only (the ingest skips avformat_find_stream_info, so libavformat
// copies PTS into DTS), which is wrong for cameras with B-frames. Decode times are rebuilt as a
// constant-rate sequence in decode order, anchored at each keyframe `kReorderFrames` frames before
// its PTS and never after a packet's own PTS. The frame interval is the smallest distance between
// the PTS of packets close in decode order.
std::int64_t LiveHlsStream::RebuiltDts(std::int64_t pts, bool key) {
  for (std::int64_t recent : recent_pts_) {  // B-pyramids: neighbours in decode order are not 1 frame apart
    if (recent == AV_NOPTS_VALUE) continue;
    const std::int64_t d = pts > recent ? pts - recent : recent - pts;
    if (d > 0) pts_step_ = pts_step_ > 0 ? std::min(pts_step_, d) : d;
  }
  recent_pts_[recent_next_++ % recent_pts_.size()] = pts;
  // Until a few pictures were seen the step may still be a multiple of the frame interval: a step
  // too small only delays DTS (safe), one too large would pass the PTS.
  std::int64_t step = pts_step_ > 0 ? pts_step_ : frame_dur_;
  if (recent_next_ <= recent_pts_.size()) step = std::min(step, frame_dur_);
  if (key) {
    gop_anchor_ = pts - kReorderFrames * step;
    gop_index_ = 0;
  }
  return std::min(pts, gop_anchor_ + gop_index_++ * step);
}

void LiveHlsStream::FinishPart() {
  if (!part_open_ || !mux_) return;
  part_open_ = false;
  av_write_frame(mux_->oc.get(), nullptr);  // flush one fragment (moof + mdat)
  auto bytes = std::make_shared<const std::string>(mux_->out->Take());
  if (bytes->empty() || segments_.empty()) return;
  LiveHlsPart part;
  part.data = std::move(bytes);
  part.duration_s = static_cast<double>(timeline_end_ - part_start_) / 90000.0;
  part.independent = part_independent_;
  part_target_s_ = std::max(part_target_s_, part.duration_s);
  segments_.back().parts.push_back(std::move(part));
  ++parts_made_;
}

void LiveHlsStream::FinishSegment() {
  if (segments_.empty() || segments_.back().complete) return;
  LiveHlsSegment& seg = segments_.back();
  if (seg.parts.empty()) {
    segments_.pop_back();
    return;
  }
  seg.complete = true;
  ++next_msn_;
  target_duration_s_ = std::max(target_duration_s_, static_cast<int>(std::lround(seg.duration_s() + 0.499)));
  while (segments_.size() > options_.max_segments) {
    if (segments_.size() > 1 && segments_[1].discontinuity) ++discontinuity_sequence_;
    segments_.erase(segments_.begin());
  }
}

bool LiveHlsStream::AvailableLocked(std::uint64_t msn, std::int64_t part) const {
  if (segments_.empty()) return false;
  const LiveHlsSegment& back = segments_.back();
  const std::uint64_t complete_end = back.complete ? back.msn + 1 : back.msn;  // first msn not complete
  if (part < 0) return msn < complete_end;
  if (msn < complete_end) {
    if (msn < segments_.front().msn) return true;  // already left the window
    const auto& seg = segments_[msn - segments_.front().msn];
    if (static_cast<std::size_t>(part) < seg.parts.size()) return true;
    return AvailableLocked(msn + 1, 0);  // past its last part: part 0 of the next segment
  }
  return !back.complete && msn == back.msn && static_cast<std::size_t>(part) < back.parts.size();
}

bool LiveHlsStream::Available(std::uint64_t msn, std::int64_t part) const {
  std::lock_guard lock(mu_);
  return AvailableLocked(msn, part);
}

bool LiveHlsStream::Upcoming(std::uint64_t msn) const {
  std::lock_guard lock(mu_);
  return unsupported_.empty() && msn >= next_msn_ && msn <= next_msn_ + 1;
}

std::uint64_t LiveHlsStream::next_msn() const {
  std::lock_guard lock(mu_);
  return next_msn_;
}

LiveHlsStream::Clock::time_point LiveHlsStream::last_packet() const {
  std::lock_guard lock(mu_);
  return last_packet_;
}

Status LiveHlsStream::Ready() const {
  std::lock_guard lock(mu_);
  if (!unsupported_.empty()) return Status::Unprocessable("camera " + camera_id_ + ": " + unsupported_);
  if (next_msn_ == 0) {
    return Status::Unavailable("camera " + camera_id_ + " is not streaming yet (live HLS needs its first " +
                               "segment); check GET /api/cameras/" + camera_id_ + " and try again");
  }
  return Status::Ok();
}

core::Result<std::string> LiveHlsStream::Playlist(std::string_view uri_prefix) const {
  PW_RETURN_IF_ERROR(Ready());
  std::lock_guard lock(mu_);
  LiveHlsWindow w;
  w.segments = &segments_;
  w.discontinuity_sequence = discontinuity_sequence_;
  w.target_duration_s = target_duration_s_;
  w.part_target_s = part_target_s_;
  w.segments_with_parts = options_.segments_with_parts;
  return RenderLiveHlsPlaylist(w, uri_prefix);
}

core::Result<std::shared_ptr<const std::string>> LiveHlsStream::Resource(const LiveHlsName& name) const {
  std::lock_guard lock(mu_);
  auto gone = [&] {
    return Status::NotFound("camera " + camera_id_ + ": that live HLS resource is not (or no longer) available; "
                            "reload the playlist");
  };
  if (name.kind == LiveHlsName::Kind::kInit) {
    for (const auto& [version, bytes] : inits_) {
      if (static_cast<std::uint64_t>(version) == name.msn) return bytes;
    }
    return gone();
  }
  if (segments_.empty() || name.msn < segments_.front().msn || name.msn > segments_.back().msn) return gone();
  const LiveHlsSegment& seg = segments_[name.msn - segments_.front().msn];
  if (name.kind == LiveHlsName::Kind::kSegment) {
    if (!seg.complete) return gone();
    return std::make_shared<const std::string>(seg.Bytes());
  }
  if (name.part >= seg.parts.size()) return gone();
  return seg.parts[name.part].data;
}

void LiveHlsStream::WhenAvailable(std::uint64_t msn, std::int64_t part, Clock::time_point deadline, Wake wake) {
  {
    std::lock_guard lock(mu_);
    if (unsupported_.empty() && !AvailableLocked(msn, part)) {
      waiters_.push_back({msn, part, deadline, std::move(wake)});
      return;
    }
  }
  wake();
}

std::vector<LiveHlsStream::Wake> LiveHlsStream::TakeSatisfiedLocked() {
  std::vector<Wake> out;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (!unsupported_.empty() || AvailableLocked(it->msn, it->part)) {
      out.push_back(std::move(it->wake));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void LiveHlsStream::Notify() {
  std::vector<Wake> ready;
  {
    std::lock_guard lock(mu_);
    if (waiters_.empty()) return;
    ready = TakeSatisfiedLocked();
  }
  for (auto& w : ready) w();
}

void LiveHlsStream::ExpireWaiters(Clock::time_point now) {
  std::vector<Wake> due;
  {
    std::lock_guard lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->deadline <= now) {
        due.push_back(std::move(it->wake));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& w : due) w();
}

void LiveHlsStream::WakeAll() {
  std::vector<Waiter> all;
  {
    std::lock_guard lock(mu_);
    all.swap(waiters_);
  }
  for (auto& w : all) w.wake();
}

nlohmann::json LiveHlsStream::ToJson() const {
  std::lock_guard lock(mu_);
  std::size_t bytes = 0;
  for (const auto& s : segments_) {
    for (const auto& p : s.parts) bytes += p.data->size();
  }
  nlohmann::json j = {{"camera", camera_id_},
                      {"streaming", open_ && !waiting_key_},
                      {"segments", segments_.size()},
                      {"next_msn", next_msn_},
                      {"init_version", inits_.empty() ? 0 : inits_.back().first},
                      {"parts_made", parts_made_},
                      {"connections", connections_},
                      {"bytes_in_ring", bytes},
                      {"waiting_requests", waiters_.size()}};
  j["unsupported"] = unsupported_.empty() ? nlohmann::json(nullptr) : nlohmann::json(unsupported_);
  return j;
}

}  // namespace pw::live
