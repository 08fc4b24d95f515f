// RtspIngest: one camera's connection, supervised on its own thread: open the RTSP stream with
// deadlines, read packets, fan them out to PacketSubscribers, decode video into a LatestFrame,
// and when anything goes wrong close and reconnect with backoff — forever, until Stop().
//
// Liveness is judged by VIDEO packets: an interrupt callback aborts any blocking libavformat call
// when no video packet came for `packet_timeout` (audio alone does not keep a camera alive), when
// opening takes longer than `open_timeout`, or at Stop(). A camera that is down at start is
// retried like a lost one. States: connecting → streaming → (stalled) → backoff → connecting …;
// stopped before Start() and after Stop().
//
// Thread-safety: all methods may be called from any thread. Start/Stop are idempotent; Stop()
// joins the thread (returns within about close_timeout). The destructor stops. The state listener
// and subscribers are called on the ingest thread (see packet_subscriber.h).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "live/camera_spec.h"
#include "live/latest_frame.h"
#include "live/packet_subscriber.h"

namespace pw::live {

enum class IngestState { kStopped, kConnecting, kStreaming, kStalled, kBackoff };
std::string_view IngestStateName(IngestState s);

struct IngestOptions {
  std::string camera_id;  // for logs and timeline marks
  std::string url;
  Transport transport = Transport::kTcp;
  std::chrono::milliseconds open_timeout{3000};         // connect + DESCRIBE/SETUP/PLAY
  std::chrono::milliseconds packet_timeout{2000};       // no video packet for this long: stalled
  std::chrono::milliseconds first_frame_timeout{5000};  // connected but nothing decodable
  std::chrono::milliseconds close_timeout{1000};        // TEARDOWN and close
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{2000};
  int decoder_threads = 1;
};

struct IngestStats {
  IngestState state = IngestState::kStopped;
  std::uint64_t connects = 0;     // successful opens
  std::uint64_t reconnects = 0;   // attempts after the first
  std::uint64_t stalls = 0;       // watchdog (no video packet) detections
  std::uint64_t frames = 0;       // decoded video frames
  std::uint64_t packets = 0;      // all streams
  std::uint64_t bytes = 0;
  std::string last_error;         // why the last connection ended or failed ("" when none yet)
  double fps = 0;                 // decoded frames per second over the last second
  double bitrate_kbps = 0;        // all streams, over the last second
  int64_t last_frame_age_ms = -1; // -1 before the first frame
  int width = 0, height = 0;
  std::string codec;
  double state_for_s = 0;         // seconds in the current state
};
nlohmann::json ToJson(const IngestStats& stats);

class RtspIngest {
 public:
  using StateListener = std::function<void(const IngestStats&)>;

  RtspIngest(IngestOptions options, std::shared_ptr<LatestFrame> slot, StateListener on_state = {});
  ~RtspIngest();
  RtspIngest(const RtspIngest&) = delete;
  RtspIngest& operator=(const RtspIngest&) = delete;

  void Start();
  void Stop();
  bool running() const;
  IngestStats Stats() const;

  // Subscribers are kept by weak reference between connections and by a strong one during a
  // connection. After RemoveSubscriber returns, at most the call already under way (or OnClose of
  // the current connection) may still arrive. One added while connected gets OnOpen before its
  // first packet, which may be mid-GOP: wait for a keyframe.
  void AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber);
  void RemoveSubscriber(const PacketSubscriber* subscriber);

 private:
  struct Session;
  void Run();
  // One connection: open, read until error/stall/stop. Returns the reason it ended.
  std::string RunSession(bool* delivered_frames);
  void SetState(IngestState s, const std::string& error = {});
  bool WaitBackoff(std::chrono::milliseconds delay);  // false when stopped meanwhile
  std::vector<std::shared_ptr<PacketSubscriber>> Subscribers();
  static int Interrupt(void* opaque);
  void ArmDeadline(std::chrono::milliseconds from_now);

  const IngestOptions options_;
  const std::shared_ptr<LatestFrame> slot_;
  const StateListener on_state_;

  std::atomic<bool> stop_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady clock; Interrupt() fires after it

  mutable std::mutex mu_;  // stats_, state_since_, subscribers_, thread_ handoff
  std::condition_variable stop_cv_;
  IngestStats stats_;
  std::chrono::steady_clock::time_point state_since_;
  std::chrono::steady_clock::time_point last_frame_;
  bool have_frame_ = false;
  std::vector<std::weak_ptr<PacketSubscriber>> subscribers_;
  std::atomic<std::uint64_t> subscribers_version_{0};  // bumped on Add/Remove: the session refreshes
  std::thread thread_;
  std::mutex start_mu_;  // serialises Start/Stop
  bool marked_open_ = false, marked_frame_ = false;
};

}  // namespace pw::live
