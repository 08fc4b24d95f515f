#include "live/latest_frame.h"

#include "media/av_log.h"
#include "media/image.h"

namespace pw::live {

namespace {
std::atomic<std::uint64_t> g_jpeg_encodes{0};
}  // namespace

std::uint64_t LiveJpegEncodes() { return g_jpeg_encodes.load(); }

core::Result<std::shared_ptr<const std::string>> LiveFrame::Jpeg(int quality) const {
  std::lock_guard lock(jpeg_mu_);  // a second caller waits for the first encode instead of repeating it
  if (jpeg_ && jpeg_quality_ == quality) return jpeg_;
  media::RouteFfmpegLogs();  // swscale's notes go to the debug log, not stderr
  auto jpeg = media::EncodeJpeg(*frame, 0, quality);
  if (!jpeg.ok()) return jpeg.status();
  g_jpeg_encodes.fetch_add(1);
  jpeg_ = std::make_shared<const std::string>(std::move(*jpeg));
  jpeg_quality_ = quality;
  return jpeg_;
}

int64_t LiveFrame::wall_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
}

void LatestFrame::Publish(std::shared_ptr<LiveFrame> frame) {
  std::shared_ptr<const LiveFrame> old;
  {
    std::lock_guard lock(mu_);
    frame->seq = ++seq_;
    old = std::exchange(frame_, std::move(frame));
  }
  cv_.notify_all();
  // `old` is released here, outside the lock (it may free a decoder buffer).
}

std::shared_ptr<const LiveFrame> LatestFrame::Get() const {
  std::lock_guard lock(mu_);
  return frame_;
}

std::shared_ptr<const LiveFrame> LatestFrame::WaitNewer(std::uint64_t after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return seq_ > after; });
  return frame_;
}

std::uint64_t LatestFrame::seq() const {
  std::lock_guard lock(mu_);
  return seq_;
}

}  // namespace pw::live
