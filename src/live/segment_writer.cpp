#include "live/segment_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "media/picture_size.h"

namespace pw::live {

namespace fs = std::filesystem;
using core::Status;

namespace {

constexpr AVRational kMicros{1, 1000000};

Status AvFail(const fs::path& path, const char* what, int err) {
  return Status::Internal("recording " + path.string() + ": " + what + " failed: " + media::AvErrorText(err));
}

}  // namespace

bool SyncPath(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

SegmentWriter::~SegmentWriter() {
  if (oc_ && oc_->pb) avio_closep(&oc_->pb);
}

core::Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Open(const fs::path& final_path,
                                                                 const std::vector<RecordedStream>& streams,
                                                                 const AVPacket& first_keyframe) {
  std::unique_ptr<SegmentWriter> w(new SegmentWriter());
  w->final_path_ = final_path;
  const fs::path part = w->part_path();
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", part.c_str());
  if (err < 0 || !raw) return AvFail(part, "creating the MP4 muxer", err);
  w->oc_.reset(raw);
  int max_index = -1;
  for (const auto& s : streams) max_index = std::max(max_index, s.index);
  w->map_.resize(static_cast<std::size_t>(max_index + 1));
  for (const auto& s : streams) {
    if (!s.codecpar) continue;
    const bool video = s.type == AVMEDIA_TYPE_VIDEO && w->video_index_ < 0;
    const bool audio = s.type == AVMEDIA_TYPE_AUDIO &&
                       avformat_query_codec(w->oc_->oformat, s.codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1;
    if (!video && !audio) continue;
    AVStream* st = avformat_new_stream(w->oc_.get(), nullptr);
    if (!st) return Status::Internal("recording " + part.string() + ": out of memory");
    if ((err = avcodec_parameters_copy(st->codecpar, s.codecpar.get())) < 0) {
      return AvFail(part, "copying the stream parameters", err);
    }
    st->codecpar->codec_tag = 0;
    st->time_base = s.time_base;
    Out& o = w->map_[static_cast<std::size_t>(s.index)];
    o.out_index = st->index;
    o.in_tb = s.time_base;
    if (video) {
      w->video_index_ = s.index;
      media::FillPictureSizeFromKeyframe(st->codecpar, first_keyframe);
    }
  }
  if (w->video_index_ < 0) return Status::Internal("recording " + part.string() + ": the camera stream has no video");
  if ((err = avio_open(&w->oc_->pb, part.c_str(), AVIO_FLAG_WRITE)) < 0) return AvFail(part, "creating the file", err);
  media::Dict options;
  // One fragment per keyframe, written out as soon as it is complete: a crash costs at most the
  // fragment being written.
  options.Set("movflags", "frag_keyframe+empty_moov+default_base_moof");
  options.Set("flush_packets", "1");
  if ((err = avformat_write_header(w->oc_.get(), options.ptr())) < 0) {
    avio_closep(&w->oc_->pb);
    std::error_code ec;
    fs::remove(part, ec);
    return AvFail(part, "writing the header", err);
  }
  w->header_written_ = true;
  return w;
}

Status SegmentWriter::Write(int stream_index, const AVPacket& packet) {
  if (stream_index < 0 || static_cast<std::size_t>(stream_index) >= map_.size()) return Status::Ok();
  Out& o = map_[static_cast<std::size_t>(stream_index)];
  if (o.out_index < 0) return Status::Ok();
  int64_t dts = packet.dts != AV_NOPTS_VALUE ? packet.dts : packet.pts;
  int64_t pts = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
  if (dts == AV_NOPTS_VALUE) {
    ++dropped_;
    return Status::Ok();
  }
  if (origin_us_ == AV_NOPTS_VALUE) {
    if (stream_index != video_index_ || !(packet.flags & AV_PKT_FLAG_KEY)) return Status::Ok();
    origin_us_ = av_rescale_q(dts, o.in_tb, kMicros);
  }
  const int64_t origin = av_rescale_q(origin_us_, kMicros, o.in_tb);
  dts -= origin;
  pts -= origin;
  if (dts < 0 || dts <= o.last_dts) {  // before the first keyframe, or not increasing
    if (dts >= 0) ++dropped_;
    return Status::Ok();
  }
  o.last_dts = dts;
  media::PacketPtr pkt = media::MakePacket();
  if (!pkt || av_packet_ref(pkt.get(), &packet) < 0) return Status::Internal("recording: out of memory");
  pkt->dts = dts;
  pkt->pts = pts;
  pkt->stream_index = o.out_index;
  pkt->pos = -1;
  av_packet_rescale_ts(pkt.get(), o.in_tb, oc_->streams[o.out_index]->time_base);
  if (stream_index == video_index_) {
    const int64_t pts_us = av_rescale_q(pts, o.in_tb, kMicros);
    if (first_pts_us_ == AV_NOPTS_VALUE || pts_us < first_pts_us_) first_pts_us_ = pts_us;
    if (last_pts_us_ == AV_NOPTS_VALUE || pts_us > last_pts_us_) last_pts_us_ = pts_us;
  }
  bytes_ += static_cast<std::uint64_t>(packet.size);
  int err = av_write_frame(oc_.get(), pkt.get());
  if (err < 0) return AvFail(part_path(), "writing a packet", err);
  return Status::Ok();
}

double SegmentWriter::duration_s() const {
  if (first_pts_us_ == AV_NOPTS_VALUE) return 0;
  return static_cast<double>(last_pts_us_ - first_pts_us_) / 1e6;
}

Status SegmentWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  const fs::path part = part_path();
  int err = av_write_trailer(oc_.get());
  int close_err = avio_closep(&oc_->pb);
  if (err < 0) return AvFail(part, "writing the trailer", err);
  if (close_err < 0) return AvFail(part, "closing the file", close_err);
  if (!SyncPath(part)) return Status::Internal("recording " + part.string() + ": fsync failed: " + std::strerror(errno));
  if (std::rename(part.c_str(), final_path_.c_str()) != 0) {
    return Status::Internal("recording: cannot rename " + part.string() + ": " + std::strerror(errno));
  }
  (void)SyncPath(final_path_.parent_path());
  return Status::Ok();
}

}  // namespace pw::live
