// FrameDecoder: the exact frame shown at a media time, decoded from one open file.
//
// FrameAt(t) returns the last frame whose PTS is <= t (media time, see keyframe_index.h; past the
// end: the last frame). It seeks to the keyframe before t and decodes forward, but when t lies
// ahead of the current position with no keyframe in between, it keeps decoding from where it is
// (scrubbing forward costs only the frames in between). The returned frame is owned by the decoder and valid until
// the next call.
// Errors: kCancelled when `cancel` fires (the decoder stays usable), kUnprocessable for
// undecodable data, kInvalidArgument for a negative time. Not thread-safe: one caller at a time
// (DecoderPool hands decoders out exclusively).
#pragma once

#include <filesystem>
#include <memory>

#include "core/status.h"
#include "media/av_ptr.h"
#include "media/cancel_token.h"
#include "media/demuxer.h"
#include "media/keyframe_index.h"

namespace pw::media {

struct DecoderOptions {
  int threads = 1;  // codec threads; 1 keeps random-access latency lowest
  bool skip_unneeded_bframes = true;  // see FrameDecoder::SetSkipFor
};

class FrameDecoder {
 public:
  static core::Result<std::unique_ptr<FrameDecoder>> Open(
      const std::filesystem::path& path, std::shared_ptr<const KeyframeIndex> index,
      DecoderOptions options = {});

  core::Result<const AVFrame*> FrameAt(double t, const CancelToken* cancel = nullptr);

  // PTS of the frame FrameAt last returned (INT64_MIN before the first call or after an error).
  int64_t position() const { return current_pts_; }
  const KeyframeIndex& index() const { return *index_; }
  // Whether FrameAt(t) would continue decoding forward instead of seeking.
  bool CanContinueTo(int64_t target_pts) const;
  int64_t seeks() const { return seeks_; }  // seeks done so far (for tests and metrics)

 private:
  FrameDecoder() = default;
  core::Status SeekTo(size_t keyframe);
  // Decodes the next frame in presentation order into next_; false at end of stream.
  core::Result<bool> DecodeNext(const CancelToken* cancel);
  void SetSkipFor(const AVPacket& pkt);

  std::unique_ptr<Demuxer> demuxer_;
  std::shared_ptr<const KeyframeIndex> index_;
  CodecContextPtr codec_;
  PacketPtr pkt_;
  FramePtr current_;  // the frame last returned
  FramePtr next_;     // decoded ahead of current_ (valid when has_next_)
  bool has_next_ = false;
  bool draining_ = false;
  bool skip_unneeded_bframes_ = true;
  int64_t current_pts_ = INT64_MIN;
  int64_t decoded_pts_ = INT64_MIN;  // PTS of the newest decoded frame
  int64_t seeks_ = 0;
  int64_t target_ = INT64_MIN;    // PTS asked for by the current FrameAt call
  int64_t sent_pts_ = INT64_MIN;  // highest PTS sent to the decoder since the last seek
};

// PTS of a decoded frame (best effort when the decoder could not tell).
inline int64_t FramePts(const AVFrame& f) {
  return f.best_effort_timestamp != AV_NOPTS_VALUE ? f.best_effort_timestamp : f.pts;
}

}  // namespace pw::media
