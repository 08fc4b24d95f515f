// LatestFrame: the one-frame slot between a camera's decoder and everything that looks at the
// picture (live counting, snapshots, MJPEG). It holds only the newest decoded frame — never a
// queue of stale ones: a reader that is slow simply sees a newer frame next time.
//
// LiveFrame is immutable once published (shared, reference-counted AVFrame) except for its JPEG
// cache: Jpeg() encodes at most once per frame and quality, whoever asks (two snapshot viewers and
// the MJPEG feed share one encode). Thread-safe: Publish/Get/WaitNewer from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "media/av_ptr.h"

namespace pw::live {

struct LiveFrame {
  media::FramePtr frame;   // decoded picture (owns a reference to the decoder's buffer)
  std::uint64_t seq = 0;   // 1, 2, ... per slot (a new slot restarts at 1)
  int64_t pts = 0;         // stream PTS (time base of the stream)
  double media_t = 0;      // pts in seconds since the stream's first PTS (restarts on reconnect)
  std::chrono::system_clock::time_point wall;    // when it was decoded
  std::chrono::steady_clock::time_point steady;  // same instant, monotonic

  // JPEG of the full-size frame at `quality` (1..100), encoded on first use and cached.
  core::Result<std::shared_ptr<const std::string>> Jpeg(int quality) const;
  int64_t wall_ms() const;

 private:
  mutable std::mutex jpeg_mu_;
  mutable int jpeg_quality_ = 0;
  mutable std::shared_ptr<const std::string> jpeg_;
};

// JPEG encodes done by LiveFrame::Jpeg in this process (tests and benchmarks count them).
std::uint64_t LiveJpegEncodes();

class LatestFrame {
 public:
  // Replaces the held frame; `frame->seq` is assigned here.
  void Publish(std::shared_ptr<LiveFrame> frame);
  // The newest frame, or null before the first.
  std::shared_ptr<const LiveFrame> Get() const;
  // Waits until a frame with seq > `after` exists (or the timeout); returns the newest or null.
  std::shared_ptr<const LiveFrame> WaitNewer(std::uint64_t after, std::chrono::milliseconds timeout) const;
  std::uint64_t seq() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::shared_ptr<const LiveFrame> frame_;
  std::uint64_t seq_ = 0;
};

}  // namespace pw::live
