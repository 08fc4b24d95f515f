// MjpegFeed: one camera's MJPEG pictures, shared by all its viewers. One encoder thread per feed
// takes the newest frame at most `fps` times per second and only while somebody watches; every
// viewer gets the newest JPEG (a slow viewer skips pictures, nothing queues). The JPEG comes from
// LiveFrame::Jpeg, so a snapshot of the same frame reuses it.
//
// A viewer asks for the next picture with Next(callback): the callback runs once — at once when a
// picture newer than the viewer's last exists, else on the encoder thread when one is made, or with
// null when the feed stops. At most one pending callback per viewer (a second Next replaces it).
// Thread-safety: all methods from any thread; callbacks must be short (hand the bytes to a socket).
// The feed outlives no viewer: destroy viewers (or let them go) before the feed; the destructor
// answers pending callbacks with null and joins the thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "live/latest_frame.h"

namespace pw::live {

struct MjpegOptions {
  double fps = 5;     // MJPEG_FPS: pictures per second at most
  int quality = 80;   // JPEG_QUALITY
};

struct MjpegPicture {
  std::shared_ptr<const std::string> jpeg;
  std::uint64_t seq = 0;     // feed picture number
  std::shared_ptr<const LiveFrame> frame;
};

class MjpegFeed : public std::enable_shared_from_this<MjpegFeed> {
 public:
  using Deliver = std::function<void(std::shared_ptr<const MjpegPicture>)>;

  class Viewer {
   public:
    ~Viewer();
    Viewer(const Viewer&) = delete;
    Viewer& operator=(const Viewer&) = delete;
    void Next(Deliver deliver);
    // Blocking form (tests, tools): null on timeout or when the feed stops.
    std::shared_ptr<const MjpegPicture> WaitNext(std::chrono::milliseconds timeout);

   private:
    friend class MjpegFeed;
    explicit Viewer(std::shared_ptr<MjpegFeed> feed) : feed_(std::move(feed)) {}
    std::shared_ptr<MjpegFeed> feed_;
    std::uint64_t last_seq_ = 0;
    Deliver pending_;
  };

  static std::shared_ptr<MjpegFeed> Create(std::shared_ptr<const LatestFrame> source, MjpegOptions options);
  ~MjpegFeed();
  void Shutdown();  // answers pending viewers with null, joins the thread; idempotent

  std::unique_ptr<Viewer> Join();
  std::size_t viewers() const;
  std::uint64_t pictures() const;  // pictures made (each one JPEG shared by every viewer)

 private:
  MjpegFeed(std::shared_ptr<const LatestFrame> source, MjpegOptions options);
  void Loop();
  void Leave(Viewer* v);

  const std::shared_ptr<const LatestFrame> source_;
  const MjpegOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Viewer*> viewers_;  // bounded by the HTTP server's connection limit
  std::shared_ptr<const MjpegPicture> current_;
  std::uint64_t pictures_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pw::live
