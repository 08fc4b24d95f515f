#include "media/decoder_pool.h"

#include <utility>

#include "media/image.h"

namespace pw::media {

core::Result<std::unique_ptr<FrameDecoder>> DecoderPool::Take(
    const std::string& key, const std::filesystem::path& path,
    std::shared_ptr<const KeyframeIndex> index, int64_t target_pts) {
  {
    std::lock_guard lock(mu_);
    auto best = idle_.end();
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->key != key) continue;
      if (best == idle_.end()) best = it;
      const FrameDecoder& d = *it->decoder;
      // Prefer the decoder that continues forward from the nearest position.
      if (d.CanContinueTo(target_pts) &&
          (!best->decoder->CanContinueTo(target_pts) || d.position() > best->decoder->position())) {
        best = it;
      }
    }
    if (best != idle_.end()) {
      auto d = std::move(best->decoder);
      idle_.erase(best);
      ++stats_.reused;
      return d;
    }
    ++stats_.opened;
  }
  return FrameDecoder::Open(path, std::move(index), options_.decoder);
}

void DecoderPool::Give(const std::string& key, std::unique_ptr<FrameDecoder> decoder) {
  std::list<Idle> closing;  // destroyed after the lock is released
  std::lock_guard lock(mu_);
  size_t same = 0;
  for (const auto& i : idle_) same += i.key == key;
  if (same >= options_.max_idle_per_video) {
    closing.push_back({key, std::move(decoder)});
    return;
  }
  idle_.push_front({key, std::move(decoder)});
  while (idle_.size() > options_.max_idle_total) closing.splice(closing.end(), idle_, std::prev(idle_.end()));
}

template <typename Fn>
auto DecoderPool::WithFrame(const std::string& key, const std::filesystem::path& path,
                            std::shared_ptr<const KeyframeIndex> index, double t,
                            const CancelToken* cancel, Fn&& fn)
    -> decltype(fn(std::declval<const AVFrame&>(), 0.0, int64_t{})) {
  if (!index) return core::Status::InvalidArgument("no keyframe index");
  if (t < 0) return core::Status::InvalidArgument("time must not be negative");
  int64_t target = index->PtsAt(t);
  auto decoder = Take(key, path, index, target);
  if (!decoder.ok()) return decoder.status();
  auto frame = (*decoder)->FrameAt(t, cancel);
  if (!frame.ok()) {
    // A cancelled decoder is still consistent; a failed one is dropped.
    if (frame.status().code() == core::Code::kCancelled) Give(key, std::move(*decoder));
    return frame.status();
  }
  int64_t pts = FramePts(**frame);
  auto result = fn(**frame, index->TimeOf(pts), pts);
  Give(key, std::move(*decoder));
  return result;
}

core::Result<Frame> DecoderPool::FrameAt(const std::string& video_key,
                                         const std::filesystem::path& path,
                                         std::shared_ptr<const KeyframeIndex> index, double t,
                                         int width, const CancelToken* cancel) {
  return WithFrame(video_key, path, std::move(index), t, cancel,
                   [&](const AVFrame& f, double time, int64_t pts) -> core::Result<Frame> {
                     auto bgr = ToBgr(f, width);
                     if (!bgr.ok()) return bgr.status();
                     return Frame{std::move(*bgr), time, pts};
                   });
}

core::Result<JpegFrame> DecoderPool::JpegAt(const std::string& video_key,
                                            const std::filesystem::path& path,
                                            std::shared_ptr<const KeyframeIndex> index, double t,
                                            int width, int quality, const CancelToken* cancel) {
  return WithFrame(video_key, path, std::move(index), t, cancel,
                   [&](const AVFrame& f, double time, int64_t pts) -> core::Result<JpegFrame> {
                     auto jpeg = EncodeJpeg(f, width, quality);
                     if (!jpeg.ok()) return jpeg.status();
                     return JpegFrame{std::move(*jpeg), time, pts};
                   });
}

void DecoderPool::Forget(const std::string& video_key) {
  std::list<Idle> closing;
  std::lock_guard lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto next = std::next(it);
    if (it->key == video_key) closing.splice(closing.end(), idle_, it);
    it = next;
  }
}

DecoderPool::Stats DecoderPool::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

size_t DecoderPool::idle_count() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

}  // namespace pw::media
