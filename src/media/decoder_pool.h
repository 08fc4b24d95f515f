// DecoderPool: frame-at-time for many videos with a few open decoders kept per video, so that
// scrubbing (a series of nearby, mostly forward requests) continues decoding from the current
// position instead of reopening the file and decoding again from the keyframe.
//
// A request takes an idle decoder of its video (preferring one that can continue forward to t)
// or opens a new one; decoders are never shared by two requests at once, so concurrent requests
// for one video each get their own. Bounds: after use a decoder is kept only while its video has
// fewer than max_idle_per_video idle ones and the pool fewer than max_idle_total (the least
// recently used idle decoder is closed first). Thread-safe. Errors as FrameDecoder::FrameAt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include <opencv2/core.hpp>

#include "core/status.h"
#include "media/cancel_token.h"
#include "media/frame_decoder.h"
#include "media/keyframe_index.h"

namespace pw::media {

struct Frame {
  cv::Mat bgr;
  double time_sec = 0;  // media time of this frame (<= the requested time)
  int64_t pts = 0;      // in the video stream time base
};

struct JpegFrame {
  std::string jpeg;
  double time_sec = 0;
  int64_t pts = 0;
};

class DecoderPool {
 public:
  struct Options {
    size_t max_idle_per_video = 2;
    size_t max_idle_total = 8;
    DecoderOptions decoder;
  };
  struct Stats {
    int64_t opened = 0;  // decoders opened
    int64_t reused = 0;  // requests served by an idle decoder
  };

  explicit DecoderPool(Options options) : options_(options) {}
  DecoderPool() : DecoderPool(Options{}) {}

  // The frame shown at media time `t` of the video `video_key` (file `path`, its index), as BGR
  // scaled to `width` (0: original size).
  core::Result<Frame> FrameAt(const std::string& video_key, const std::filesystem::path& path,
                              std::shared_ptr<const KeyframeIndex> index, double t, int width,
                              const CancelToken* cancel = nullptr);
  // The same as JPEG.
  core::Result<JpegFrame> JpegAt(const std::string& video_key, const std::filesystem::path& path,
                                 std::shared_ptr<const KeyframeIndex> index, double t, int width,
                                 int quality, const CancelToken* cancel = nullptr);

  // Closes the idle decoders of a video (deleted or re-indexed).
  void Forget(const std::string& video_key);
  Stats stats() const;
  size_t idle_count() const;

 private:
  struct Idle {
    std::string key;
    std::unique_ptr<FrameDecoder> decoder;
  };
  core::Result<std::unique_ptr<FrameDecoder>> Take(const std::string& key,
                                                   const std::filesystem::path& path,
                                                   std::shared_ptr<const KeyframeIndex> index,
                                                   int64_t target_pts);
  void Give(const std::string& key, std::unique_ptr<FrameDecoder> decoder);
  template <typename Fn>
  auto WithFrame(const std::string& key, const std::filesystem::path& path,
                 std::shared_ptr<const KeyframeIndex> index, double t, const CancelToken* cancel,
                 Fn&& fn) -> decltype(fn(std::declval<const AVFrame&>(), 0.0, int64_t{}));

  Options options_;
  mutable std::mutex mu_;
  std::list<Idle> idle_;  // most recently used first; guarded by mu_
  Stats stats_;           // guarded by mu_
};

}  // namespace pw::media
