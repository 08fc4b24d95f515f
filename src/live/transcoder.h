// Transcoder: one camera's video re-encoded as H.264 that browsers decode over WebRTC — used for
// cameras whose stream cannot be forwarded as-is (H.264 with B-frames, H.265, other decodable
// codecs). It is a PacketSubscriber of the camera (input) and republishes through the same
// interface (output): its subscribers get OnOpen with ONE video stream (index 0, the encoder's
// codec parameters: H.264 Annex B, SPS/PPS in extradata and again before every keyframe), OnPacket
// for every encoded access unit, OnClose when the camera's connection ends or the transcoder stops.
// A subscriber that joins makes the next encoded frame a keyframe (IDR), so it starts at once.
//
// Encoding: libx264, preset ultrafast (option), tune zerolatency, profile baseline (constrained
// baseline: no B-frames, pts == dts), GOP `gop_seconds`, bitrate from the picture size and frame
// rate unless set. Timestamps are the source's pts in the source's time base (frames whose pts
// does not increase are dropped and counted). Other pixel formats are converted to yuv420p.
//
// Threads and queue: decoding and encoding run on the transcoder's own thread. The camera's calls
// only enqueue (a packet reference: microseconds). Input queue bound: `queue_packets` video packets
// (default 32, about 1.3 s at 25 fps). Overflow policy: when the queue is full the queued packets
// are dropped and input is skipped up to the next keyframe (stale frames are never queued; counted
// in packets_dropped and skips). Decoding errors are counted (decode_errors), never fatal; the
// decoder recovers at the next keyframe.
//
// Lifecycle: the thread starts in the constructor; Stop() (or the destructor) joins it — about one
// frame's work — after which the camera's calls are ignored. Subscribers are called on the
// transcoder's thread only and must return quickly (see packet_subscriber.h).
// Thread-safety: all methods from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "live/packet_fanout.h"

namespace pw::live {

struct TranscodeOptions {
  std::string camera_id;           // for logs and the thread name
  std::size_t queue_packets = 32;  // input bound (video packets)
  double gop_seconds = 1.0;        // keyframe interval
  std::string preset = "ultrafast";
  int bitrate_kbps = 0;            // 0: 0.08 bit per pixel per frame, 200..8000 kbps
  int decoder_threads = 1;
  int encoder_threads = 1;
};

struct TranscodeStats {
  bool running = false;
  std::string source_codec;         // of the current/last connection ("" before the first)
  std::uint64_t packets_in = 0;     // video packets offered by the camera
  std::uint64_t packets_dropped = 0;  // dropped before decoding (queue full, waiting for a keyframe)
  std::uint64_t skips = 0;          // times the queue overflowed and input skipped to a keyframe
  std::uint64_t frames_decoded = 0;
  std::uint64_t frames_encoded = 0;
  std::uint64_t frames_dropped = 0;  // decoded but not encoded (timestamp did not increase)
  std::uint64_t decode_errors = 0;
  std::uint64_t encode_errors = 0;
  std::uint64_t keyframes = 0;       // encoded keyframes
  double fps = 0;                    // encoded frames per second over the last window
  double cpu_percent = 0;            // the transcoder thread's CPU over the last window (100 = one core)
  double cpu_ms_per_frame = 0;       // its CPU per encoded frame over the last window
  int width = 0, height = 0;
  int bitrate_kbps = 0;              // the encoder's target
  std::string last_error;            // decoder/encoder open failures ("" when none)
};
nlohmann::json ToJson(const TranscodeStats& stats);

class Transcoder final : public PacketSubscriber {
 public:
  explicit Transcoder(TranscodeOptions options);
  ~Transcoder() override;
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  // kUnavailable when this FFmpeg has no libx264 encoder (install libavcodec with libx264).
  static core::Status Available();
  // Transcoders of this process whose thread runs (for tests and metrics).
  static int live_count();

  void Stop();

  void AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber);
  bool RemoveSubscriber(const PacketSubscriber* subscriber);
  std::size_t subscriber_count() const { return out_.size(); }
  TranscodeStats Stats() const;

  // Input (the camera's calls).
  void OnOpen(const std::vector<StreamInfo>& streams) override;
  void OnPacket(const StreamInfo& stream, const AVPacket& packet) override;
  void OnClose(const std::string& reason) override;

 private:
  struct Event;
  struct Work;  // the thread's codec state
  void Push(Event event);
  void Run();
  // On the transcoder's thread:
  void StartConnection(Work& w, Event& e);
  void Decode(Work& w, Event& e);
  void Drain(Work& w);  // at the end of a connection
  void ReceiveFrames(Work& w);
  void OnFrame(Work& w, media::FramePtr frame);
  bool OpenEncoder(Work& w, const AVFrame& first);
  void Encode(Work& w, AVFrame* frame);
  void SendPackets(Work& w);
  void EndConnection(Work& w, const std::string& reason, bool keep_decoder = false);
  void UpdateRates(Work& w);
  void Fail(const std::string& error);

  const TranscodeOptions options_;
  PacketFanout out_;

  mutable std::mutex mu_;  // queue_, input state, stats_
  std::condition_variable cv_;
  std::deque<Event> queue_;
  std::size_t queued_packets_ = 0;
  int video_index_ = -1;        // of the camera's current connection
  bool wait_for_key_ = true;    // dropping input up to the next keyframe
  bool resync_ = false;         // the next queued packet follows a gap: flush the decoder
  bool stop_ = false;
  TranscodeStats stats_;
  std::atomic<bool> force_key_{false};
  std::thread thread_;
  std::mutex stop_mu_;  // serialises Stop
};

}  // namespace pw::live
