// LiveHlsStream: one camera's live LL-HLS, made from its compressed packets without re-encoding.
//
// A PacketSubscriber: the camera's H.264 video is remuxed (-c copy) into fMP4 — an init segment,
// then parts of about `part_target_s` (a part may start at any frame; INDEPENDENT when it starts at
// a keyframe) grouped into segments of about `segment_target_s`, each starting at a keyframe. Audio
// is dropped (live view is video only). The bytes stay in memory, in a ring of the newest
// `max_segments` complete segments plus the one in progress (bound; older ones are dropped).
// Muxing happens inline on the ingest thread: writing a packet copies it into the muxer's buffer,
// a part flush builds one moof (microseconds to a few hundred of them; no queue). A picture is
// written when the next one begins (RTP may deliver one picture in several packets): one frame
// of delay. Sources without decode times (RTSP: PTS only) get rebuilt DTS, so B-frames work.
// On reconnect (OnClose → OnOpen, timestamps restart) the timeline is continued, the next segment
// carries EXT-X-DISCONTINUITY and, when the codec parameters changed, a new init version.
// A source that is not H.264 (e.g. H.265, which browsers do not decode) makes every request fail
// with kUnprocessable and the reason; a transcoding source can be subscribed instead (the stream
// takes whatever PacketSubscriber feed it is given).
//
// Thread-safety: all methods from any thread. Wake callbacks run on the thread that made the part
// (the ingest thread) or that calls ExpireWaiters/WakeAll, never under the stream's lock; they must
// be quick (post the answer).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "live/live_hls_playlist.h"
#include "live/packet_subscriber.h"

namespace pw::live {

struct LiveHlsStreamOptions {
  double part_target_s = 0.4;
  double segment_target_s = 2.0;
  std::size_t max_segments = 6;         // complete segments kept in memory (plus one in progress)
  std::size_t segments_with_parts = 3;  // newest segments whose parts are listed
};

class LiveHlsStream final : public PacketSubscriber {
 public:
  using Clock = std::chrono::steady_clock;
  using Wake = std::function<void()>;

  LiveHlsStream(std::string camera_id, LiveHlsStreamOptions options);
  ~LiveHlsStream() override;
  LiveHlsStream(const LiveHlsStream&) = delete;
  LiveHlsStream& operator=(const LiveHlsStream&) = delete;

  void OnOpen(const std::vector<StreamInfo>& streams) override;
  void OnPacket(const StreamInfo& stream, const AVPacket& packet) override;
  void OnClose(const std::string& reason) override;

  // Ok once a complete segment exists; kUnprocessable (with the reason) for a source that cannot be
  // carried; kUnavailable before the first segment.
  core::Status Ready() const;
  // Whether part `part` of segment `msn` exists (part < 0: the whole segment is complete). A part
  // index past the end of a complete segment means part 0 of the next one (LL-HLS rule).
  bool Available(std::uint64_t msn, std::int64_t part) const;
  // Whether that part may still appear soon (it belongs to the segment in progress or the next).
  bool Upcoming(std::uint64_t msn) const;
  // The msn of the segment in progress (or of the next one while none is).
  std::uint64_t next_msn() const;
  // When the last video packet came (or when the stream was made).
  Clock::time_point last_packet() const;

  core::Result<std::string> Playlist(std::string_view uri_prefix) const;
  // kNotFound when the resource is not (or no longer) in the ring.
  core::Result<std::shared_ptr<const std::string>> Resource(const LiveHlsName& name) const;

  // Calls `wake` once: when Available(msn, part) becomes true (at once if it already is), when
  // the source turns out unsupported, at WakeAll(), or from ExpireWaiters() after `deadline`.
  void WhenAvailable(std::uint64_t msn, std::int64_t part, Clock::time_point deadline, Wake wake);
  void ExpireWaiters(Clock::time_point now);
  void WakeAll();

  // {"camera","streaming","segments","next_msn","init_version","parts_made","bytes_in_ring",...}
  nlohmann::json ToJson() const;

 private:
  struct Muxer;
  struct Waiter {
    std::uint64_t msn;
    std::int64_t part;
    Clock::time_point deadline;
    Wake wake;
  };

  bool AvailableLocked(std::uint64_t msn, std::int64_t part) const;
  void Unsupported(std::string reason);                       // under mu_
  core::Status OpenMuxer(const AVPacket& first_key);          // under mu_
  void WritePacket(const AVPacket& packet);                   // under mu_
  std::int64_t RebuiltDts(std::int64_t pts, bool key);       // under mu_
  void AppendToPending(const AVPacket& packet);               // under mu_
  void FlushAccessUnit();                                     // under mu_
  void FinishPart();                                          // under mu_
  void FinishSegment();                                       // under mu_
  void CloseConnection();                                     // under mu_
  std::vector<Wake> TakeSatisfiedLocked();
  void Notify();  // wakes satisfied waiters (takes mu_, calls them outside)

  const std::string camera_id_;
  const LiveHlsStreamOptions options_;

  mutable std::mutex mu_;
  std::string unsupported_;
  // Current connection.
  bool open_ = false;
  int video_index_ = -1;
  AVRational in_tb_{1, 90000};
  const AVCodecParameters* codecpar_ = nullptr;  // the ingest's, valid until OnClose
  bool waiting_key_ = true;
  media::PacketPtr pending_ = media::MakePacket();  // the access unit being gathered
  bool has_pending_ = false;
  std::int64_t pending_ts_ = 0;
  std::int64_t pending_wall_ms_ = 0;  // wall clock when its first packet arrived
  std::unique_ptr<Muxer> mux_;
  std::int64_t in_origin_ = 0;      // input DTS (90 kHz) of the connection's first keyframe
  std::int64_t out_origin_ = 0;     // output DTS it maps to
  std::int64_t wall_origin_ms_ = 0; // wall clock when that keyframe arrived
  std::int64_t last_out_dts_ = -1;
  std::int64_t frame_dur_ = 3600;   // 90 kHz; last measured frame interval
  // Rebuilt decode times (sources that give presentation times only).
  static constexpr std::int64_t kReorderFrames = 2;  // B-frame reorder depth allowed for
  std::int64_t pts_step_ = 0;
  std::array<std::int64_t, 4> recent_pts_{AV_NOPTS_VALUE, AV_NOPTS_VALUE, AV_NOPTS_VALUE, AV_NOPTS_VALUE};
  std::size_t recent_next_ = 0;
  std::int64_t gop_anchor_ = 0;
  std::int64_t gop_index_ = 0;
  std::int64_t part_start_ = 0;
  bool part_open_ = false;
  bool part_independent_ = false;
  std::int64_t seg_start_ = 0;
  // Timeline and ring.
  std::int64_t timeline_end_ = 0;   // output time after the last frame written (90 kHz)
  bool next_discontinuity_ = false;
  std::vector<LiveHlsSegment> segments_;  // oldest first; back() may be in progress
  std::uint64_t next_msn_ = 0;
  std::uint64_t discontinuity_sequence_ = 0;
  std::deque<std::pair<int, std::shared_ptr<const std::string>>> inits_;  // (version, bytes)
  int target_duration_s_ = 2;
  double part_target_s_ = 0.4;
  std::uint64_t parts_made_ = 0;
  std::uint64_t connections_ = 0;
  std::vector<Waiter> waiters_;
  Clock::time_point last_packet_ = Clock::now();
};

}  // namespace pw::live
