// BrowserVideo: one camera's video as browsers take it over WebRTC — H.264 without B-frames — for
// any number of subscribers, by the cheapest path:
//   forward    the camera's H.264 has no B-frames: packets go through untouched (no decode);
//   transcode  H.264 with B-frames, H.265 or another decodable codec: ONE Transcoder for all
//              subscribers (see transcoder.h);
//   unsupported no video, or no way to re-encode it: subscribers get OnOpen with the camera's
//              streams (so they can say why) and no packets.
// The verdict is made per camera connection: H.264 is "probing" until kProbePackets video packets
// from a keyframe arrived in presentation order (they are held, then delivered) or one arrived out
// of order (B-frames: transcode). Subscribers get OnOpen with the camera's stream when probing
// starts (so that a viewer can negotiate meanwhile) and OnClose if the verdict is transcode. A forwarded stream that later shows B-frames switches to transcode
// (subscribers get OnClose, then OnOpen from the transcoder); once seen, B-frames keep the camera
// on transcode across reconnects while its codec stays the same.
//
// Subscribers receive ONE video stream (OnOpen/OnPacket/OnClose, see packet_subscriber.h): the
// camera's (index unchanged) when forwarding, the transcoder's (index 0) when transcoding.
// Ownership: the Camera owns it and subscribes it to its ingest while it has subscribers.
// Thread-safety: all methods from any thread; the PacketSubscriber calls come from the camera's
// ingest thread and return in microseconds (the transcoder only enqueues). Stop() joins the
// transcoder's thread; later camera calls are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "live/packet_fanout.h"
#include "live/transcoder.h"

namespace pw::live {

enum class VideoPath { kIdle, kProbing, kForward, kTranscode, kUnsupported };
std::string_view VideoPathName(VideoPath path);

// Sees B-frames in a stream of video packets in decode order: a packet whose pts differs from its
// dts (when both are set) or whose pts is below an earlier packet's.
class ReorderDetector {
 public:
  // True when this packet shows reordering (and every later call, until Reset).
  bool Add(const AVPacket& packet);
  bool seen() const { return seen_; }
  void Reset() { *this = {}; }

 private:
  int64_t max_pts_ = AV_NOPTS_VALUE;
  bool seen_ = false;
};

class BrowserVideo final : public PacketSubscriber {
 public:
  static constexpr std::size_t kProbePackets = 6;

  BrowserVideo(std::string camera_id, TranscodeOptions transcode = {});
  ~BrowserVideo() override;
  BrowserVideo(const BrowserVideo&) = delete;
  BrowserVideo& operator=(const BrowserVideo&) = delete;

  void Stop();

  void AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber);
  bool RemoveSubscriber(const PacketSubscriber* subscriber);
  std::size_t subscriber_count() const;
  VideoPath path() const;
  std::string unsupported_reason() const;  // "" unless path() is kUnsupported
  // The running transcoder (null when forwarding); for stats and tests.
  std::shared_ptr<Transcoder> transcoder() const;
  // {"video_path","subscribers","reason","transcode":TranscodeStats|null}
  nlohmann::json ToJson() const;

  void OnOpen(const std::vector<StreamInfo>& streams) override;
  void OnPacket(const StreamInfo& stream, const AVPacket& packet) override;
  void OnClose(const std::string& reason) override;

 private:
  // Under mu_:
  void Forward();
  void Transcode(const std::string& why);
  void Unsupported(std::string reason, const std::vector<StreamInfo>& streams);
  std::shared_ptr<Transcoder> DropTranscoder();  // detaches subscribers; the caller stops it

  const std::string camera_id_;
  const TranscodeOptions transcode_options_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  VideoPath path_ = VideoPath::kIdle;
  std::string reason_;  // why unsupported
  std::vector<std::shared_ptr<PacketSubscriber>> subscribers_;
  PacketFanout direct_;  // forward and unsupported paths
  std::shared_ptr<Transcoder> transcoder_;
  StreamInfo video_;
  bool has_video_ = false;
  AVCodecID codec_ = AV_CODEC_ID_NONE;
  bool bframes_seen_ = false;  // sticky for codec_
  ReorderDetector reorder_;
  std::vector<media::PacketPtr> probe_;  // bound: kProbePackets
};

}  // namespace pw::live
