// Recorder: records one camera on a schedule — a PacketSubscriber that copies the camera's packets
// (no re-encode) into segment files DATA_DIR/recordings/<camera>/<camera>-YYYYMMDD-HHMMSS.mp4 while
// the camera's schedule (or a manual override) says so, and hands every finished segment to
// `on_segment` (the video library registers it).
//
// Segments start at a video keyframe and are cut at the first keyframe after `segment_seconds` of
// media time, at the end of a window, when the camera reconnects (the next one starts at the next
// keyframe) and when recording is stopped. They are written as `.part` (fragmented MP4, playable up
// to the last complete fragment after a crash: see recording_repair.h) and renamed when complete.
// Below `min_free_bytes` of free disk nothing is written: the segment in progress is closed, the
// state shows the error, and recording resumes by itself once space is back.
//
// Threads: the ingest thread only takes a reference to each packet and queues it (bounded: 4096
// packets or 64 MiB; on overflow the packet is dropped, counted, and the segment in progress is
// closed at that gap — the next one starts at the next keyframe). The recorder's own thread
// writes files; a second thread (bounded queue of 64 paths; on overflow the segment stays on disk
// unregistered, with an error logged) calls `on_segment`. Start/Stop own and join both.
// Manual override (SetOverride): "start" records until the end of the window in progress or, out
// of a window, until the end of the next one (with no schedule: until "stop"); "stop" stops until
// the next window starts. It is kept in DATA_DIR/recordings/<camera>/override.json, so a restart or
// a power cut does not silently end a recording started by hand; ForgetOverride() (the camera was
// removed) deletes it.
// Thread-safety: all public methods from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/thread_pool.h"
#include "live/camera_spec.h"
#include "live/schedule.h"
#include "live/segment_writer.h"

namespace pw::live {

// Settings shared by every camera's recorder (from the server configuration).
struct RecorderOptions {
  std::filesystem::path dir;          // DATA_DIR/recordings; empty: recording is off
  std::uint64_t min_free_bytes = 0;   // MIN_FREE_DISK_MB
  // Called on the recorder's registration thread with each finished segment's path.
  std::function<void(const std::filesystem::path&)> on_segment;
  std::size_t queue_packets = 4096;
  std::size_t queue_bytes = 64u << 20;
};

struct RecorderStats {
  bool active = false;                // a segment is being written
  bool wanted = false;                // schedule or override says record now
  std::string file;                   // the segment being written (final name)
  std::optional<std::chrono::system_clock::time_point> since;  // this recording run's start
  std::optional<std::chrono::system_clock::time_point> next_window_start;
  std::optional<std::chrono::system_clock::time_point> window_end;
  std::string override_action;        // "", "start" or "stop"
  std::uint64_t segments_written = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t dropped_packets = 0;  // queue overflow and unusable timestamps
  std::uint64_t errors = 0;
  std::string last_error;
};

class Recorder final : public PacketSubscriber {
 public:
  Recorder(std::string camera_id, RecordSpec spec, RecorderOptions options);
  ~Recorder() override;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void Start();
  void Stop();  // closes the segment in progress (finished and registered), joins the threads

  // "start" or "stop" (see above); kInvalidArgument otherwise.
  core::Status SetOverride(const std::string& action);
  void ForgetOverride();
  RecorderStats Stats() const;
  // {"active","file","since","next_window_start","window_end","segments_written","last_error",
  //  "override","schedule","segment_seconds","bytes_written","dropped_packets"}
  nlohmann::json ToJson() const;

  void OnOpen(const std::vector<StreamInfo>& streams) override;
  void OnPacket(const StreamInfo& stream, const AVPacket& packet) override;
  void OnClose(const std::string& reason) override;

 private:
  struct Item {
    enum Kind { kOpen, kPacket, kClose } kind = kPacket;
    std::vector<RecordedStream> streams;  // kOpen
    int stream_index = -1;                // kPacket
    media::PacketPtr packet;              // kPacket
    bool gap_before = false;              // packets were dropped just before this one
    std::string reason;                   // kClose
  };
  using Clock = std::chrono::system_clock;

  void Run();
  void Handle(Item& item);
  void HandlePacket(Item& item);
  // Schedule, override and disk floor: decides whether to record now (recorder thread).
  void Tick(Clock::time_point now);
  bool Wanted(Clock::time_point now);  // under mu_
  bool DiskHasRoom();
  void OpenSegment(int64_t start_pts_us, const AVPacket& keyframe);
  void CloseSegment(const std::string& why);
  void Fail(const std::string& error);
  std::filesystem::path NextPath() const;

  const std::string camera_id_;
  const RecordSpec spec_;
  const RecorderOptions options_;
  RecordSchedule schedule_;
  const std::filesystem::path dir_;  // options_.dir / camera_id_

  std::atomic<bool> accepting_{false};  // read by the ingest thread: queue packets at all

  mutable std::mutex mu_;  // queue_, stats_, override_, stop_
  std::condition_variable cv_;
  std::deque<Item> queue_;  // bound: options_.queue_packets / queue_bytes (see above)
  std::size_t queued_bytes_ = 0;
  bool gap_ = false;
  bool stop_ = true;
  struct Override {
    bool on = false;
    std::optional<Clock::time_point> until;
  };
  std::optional<Override> override_;
  std::mutex override_file_mu_;  // serialises SetOverride's writes of override_file_ (taken before mu_)
  const std::filesystem::path override_file_;  // dir_ / "override.json"
  void LoadOverride();
  void SaveOverride(const std::optional<Override>& o);
  RecorderStats stats_;

  // Recorder thread only.
  std::vector<RecordedStream> streams_;
  int video_index_ = -1;
  AVRational video_tb_{1, 90000};
  bool want_ = false, disk_ok_ = true;
  Clock::time_point next_disk_check_{};
  std::unique_ptr<SegmentWriter> writer_;
  int64_t segment_start_us_ = 0;
  std::chrono::steady_clock::time_point last_fail_log_{};

  std::thread thread_;
  std::unique_ptr<core::ThreadPool> registrar_;
};

}  // namespace pw::live
