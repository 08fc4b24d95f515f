// LiveHls: live low-latency HLS for the cameras — one LiveHlsStream (one muxer) per camera, shared
// by every viewer, made on the first playlist request and stopped after `idle_stop` without one.
//
// Requests never block the caller: each answers through `done`, called exactly once from any
// thread (at once, from the camera's ingest thread when the awaited part appears, or from this
// object's housekeeping thread when a wait runs out).
//   Playlist(camera, msn, part): the LL-HLS playlist. With `msn` (the _HLS_msn / _HLS_part
//     query) it waits until that part (or, without `part`, that whole segment) exists, at most
//     `block_limit`, then answers the newest playlist. Before the camera's first segment, a
//     request waits at most `first_segment_wait`, then fails with kUnavailable.
//   Resource(camera, name): init segment, segment or part (names in live_hls_playlist.h); a part
//     announced by EXT-X-PRELOAD-HINT (in the segment being made, or the next) is awaited like a
//     blocking reload.
// Errors: kNotFound (unknown camera, or a resource that left the ring), kUnavailable (camera not
// streaming yet; the server adds Retry-After), kUnprocessable (video that cannot be carried: H.265
// needs a transcoding source), kInvalidArgument (_HLS_msn more than two segments ahead).
// Thread-safety: all methods from any thread. One housekeeping thread, owned and joined by Stop()
// (also called by the destructor). The source must outlive this object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "live/live_hls_stream.h"

namespace pw::live {

class CameraManager;

// Where a stream gets its packets: the seam for another producer (e.g. a transcoder to H.264).
class LiveHlsSource {
 public:
  virtual ~LiveHlsSource() = default;
  // kNotFound for an unknown camera.
  virtual core::Status Subscribe(const std::string& camera_id, std::shared_ptr<PacketSubscriber> subscriber) = 0;
  virtual void Unsubscribe(const std::string& camera_id, const PacketSubscriber* subscriber) = 0;
};

// The cameras of a CameraManager through their browser-video seam (live/browser_video.h): H.264
// without B-frames as it comes from the camera (remux only), H.265 and B-frame H.264 from the
// camera's one shared transcode to H.264 — the same packets WebRTC viewers get.
class CameraManagerHlsSource final : public LiveHlsSource {
 public:
  explicit CameraManagerHlsSource(CameraManager& cameras) : cameras_(cameras) {}
  core::Status Subscribe(const std::string& camera_id, std::shared_ptr<PacketSubscriber> subscriber) override;
  void Unsubscribe(const std::string& camera_id, const PacketSubscriber* subscriber) override;

 private:
  CameraManager& cameras_;
};

struct LiveHlsOptions {
  LiveHlsStreamOptions stream;
  std::chrono::milliseconds idle_stop{30000};           // no playlist request for this long: stop
  std::chrono::milliseconds first_segment_wait{5000};   // then kUnavailable
  std::chrono::milliseconds block_limit{6000};          // blocking reload / preload-hinted part
  std::chrono::milliseconds tick{50};                   // housekeeping period (wait precision)
  // No video for this long: subscribe again (the camera may have been replaced by an edit).
  std::chrono::milliseconds resubscribe_after{10000};
};

struct LiveHlsReply {
  enum class Kind { kPlaylist, kInit, kMedia } kind = Kind::kPlaylist;
  std::shared_ptr<const std::string> body;
};
using LiveHlsDone = std::function<void(core::Result<LiveHlsReply>)>;

class LiveHls {
 public:
  LiveHls(LiveHlsOptions options, LiveHlsSource& source);
  ~LiveHls();
  LiveHls(const LiveHls&) = delete;
  LiveHls& operator=(const LiveHls&) = delete;

  void Playlist(const std::string& camera_id, std::optional<std::uint64_t> msn, std::optional<std::int64_t> part,
                LiveHlsDone done);
  void Resource(const std::string& camera_id, const std::string& name, LiveHlsDone done);

  // Ends every stream and answers the requests still waiting. Idempotent.
  void Stop();
  std::size_t stream_count() const;
  // {"streams":[LiveHlsStream::ToJson()...],"options":{...}}
  nlohmann::json ToJson() const;

 private:
  struct Session {
    std::shared_ptr<LiveHlsStream> stream;
    std::chrono::steady_clock::time_point last_request;
    std::chrono::steady_clock::time_point last_subscribe;
  };
  core::Result<std::shared_ptr<LiveHlsStream>> Find(const std::string& camera_id, bool create);
  void Housekeep();

  const LiveHlsOptions options_;
  LiveHlsSource& source_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, Session> sessions_;
  std::thread thread_;
};

}  // namespace pw::live
