#include "media/frame_decoder.h"

#include <algorithm>
#include <limits>

namespace pw::media {

using core::Status;

core::Result<std::unique_ptr<FrameDecoder>> FrameDecoder::Open(
    const std::filesystem::path& path, std::shared_ptr<const KeyframeIndex> index,
    DecoderOptions options) {
  if (!index || index->keyframes.empty()) return Status::InvalidArgument("no keyframe index");
  auto d = Demuxer::Open(path);
  if (!d.ok()) return d.status();
  std::unique_ptr<FrameDecoder> fd(new FrameDecoder());
  fd->demuxer_ = std::move(*d);
  fd->index_ = std::move(index);
  const AVCodecParameters* par = fd->demuxer_->video_stream()->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) {
    return Status::Unprocessable(std::string("no decoder for video codec ") +
                                 avcodec_get_name(par->codec_id));
  }
  fd->codec_.reset(avcodec_alloc_context3(codec));
  if (!fd->codec_) return Status::Internal("out of memory allocating a decoder");
  avcodec_parameters_to_context(fd->codec_.get(), par);
  fd->codec_->pkt_timebase = fd->demuxer_->video_stream()->time_base;
  fd->codec_->thread_count = options.threads;
  fd->skip_unneeded_bframes_ = options.skip_unneeded_bframes;
  int err = avcodec_open2(fd->codec_.get(), codec, nullptr);
  if (err < 0) return Status::Unprocessable("cannot open the video decoder: " + AvErrorText(err));
  fd->pkt_ = MakePacket();
  fd->current_ = MakeFrame();
  fd->next_ = MakeFrame();
  if (!fd->pkt_ || !fd->current_ || !fd->next_) return Status::Internal("out of memory");
  return fd;
}

bool FrameDecoder::CanContinueTo(int64_t target_pts) const {
  if (current_pts_ == INT64_MIN || target_pts < current_pts_) return false;
  // A keyframe after the current position but not after the target: seeking there is cheaper.
  const Keyframe& kf = index_->keyframes[index_->KeyframeAtOrBefore(target_pts)];
  return kf.pts <= current_pts_ || kf.pts <= decoded_pts_;
}

Status FrameDecoder::SeekTo(size_t keyframe) {
  ++seeks_;
  current_pts_ = decoded_pts_ = sent_pts_ = INT64_MIN;
  has_next_ = draining_ = false;
  avcodec_flush_buffers(codec_.get());
  return demuxer_->SeekToKeyframe(index_->keyframes[keyframe]);
}

// A non-reference frame (B-frame nobody predicts from) whose PTS lies before a frame already sent
// that is still <= the target can never be the answer: it is not decoded at all. Reference frames
// are always decoded (AVDISCARD_NONREF skips only the others), so later frames stay exact.
void FrameDecoder::SetSkipFor(const AVPacket& pkt) {
  bool skippable = skip_unneeded_bframes_ && pkt.pts != AV_NOPTS_VALUE && sent_pts_ != INT64_MIN && sent_pts_ <= target_ &&
                   pkt.pts < sent_pts_;
  codec_->skip_frame = skippable ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
  if (pkt.pts != AV_NOPTS_VALUE) sent_pts_ = std::max(sent_pts_, pkt.pts);
}

core::Result<bool> FrameDecoder::DecodeNext(const CancelToken* cancel) {
  for (;;) {
    int err = avcodec_receive_frame(codec_.get(), next_.get());
    if (err == 0) {
      decoded_pts_ = FramePts(*next_);
      return true;
    }
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      return Status::Unprocessable("video decoding failed: " + AvErrorText(err));
    }
    if (IsCancelled(cancel)) return Status::Cancelled("frame request cancelled");
    // The decoder wants input: the next video packet, or end-of-stream to drain it.
    for (;;) {
      if (draining_) return false;
      auto more = demuxer_->Read(pkt_.get());
      if (!more.ok()) return more.status();
      if (!*more) {
        draining_ = true;
        avcodec_send_packet(codec_.get(), nullptr);
        break;
      }
      if (pkt_->stream_index != demuxer_->video_index()) continue;
      SetSkipFor(*pkt_);
      err = avcodec_send_packet(codec_.get(), pkt_.get());
      // A damaged packet is skipped; the decoder recovers at the next keyframe.
      if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_INVALIDDATA) {
        return Status::Unprocessable("video decoding failed: " + AvErrorText(err));
      }
      break;
    }
  }
}

core::Result<const AVFrame*> FrameDecoder::FrameAt(double t, const CancelToken* cancel) {
  if (t < 0) return Status::InvalidArgument("time must not be negative");
  const int64_t target = index_->PtsAt(t);
  target_ = target;
  if (current_pts_ == target) return current_.get();
  if (!CanContinueTo(target)) {
    size_t kf = index_->KeyframeAtOrBefore(target);
    PW_RETURN_IF_ERROR(SeekTo(kf));
  }
  for (;;) {
    if (!has_next_) {
      auto got = DecodeNext(cancel);
      if (!got.ok()) {
        if (got.status().code() != core::Code::kCancelled) current_pts_ = INT64_MIN;
        return got.status();
      }
      if (!*got) break;  // end of stream: the last frame stands until the end
      has_next_ = true;
    }
    int64_t pts = FramePts(*next_);
    if (pts > target && current_pts_ != INT64_MIN) break;  // next_ is after t: current_ is it
    // Before t (or the first frame after a seek): it becomes the candidate.
    std::swap(current_, next_);
    has_next_ = false;
    current_pts_ = pts;
    if (pts >= target) break;
    int64_t duration = current_->pkt_duration;
    if (duration > 0 && pts + duration > target) break;  // the next frame is certainly later
  }
  if (current_pts_ == INT64_MIN) {
    return Status::Unprocessable("no frame could be decoded at " + std::to_string(t) + " s");
  }
  return current_.get();
}

}  // namespace pw::media
