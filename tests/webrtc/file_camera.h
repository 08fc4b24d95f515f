// FileCamera: a test stand-in for a camera's ingest — it plays an MP4 (made with ffmpeg at test
// time) in real time, looping, and calls its subscribers exactly like live::RtspIngest does
// (OnOpen once per subscriber before its first packet, then OnPacket for each video packet).
// Implements webrtc::PacketSource for camera `id`. Thread-safety: any thread; the destructor joins.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "webrtc/whep_server.h"

namespace pw::test {

class FileCamera final : public webrtc::PacketSource {
 public:
  // `reconnect_each_loop`: at the end of the file, OnClose + OnOpen with timestamps restarting
  // from zero (a camera that dropped and came back); otherwise it loops with continuous timestamps.
  FileCamera(std::filesystem::path file, std::string id, bool reconnect_each_loop = false);
  ~FileCamera() override;

  core::Status Subscribe(const std::string& camera_id, std::shared_ptr<live::PacketSubscriber> s) override;
  void Unsubscribe(const std::string& camera_id, const live::PacketSubscriber* s) override;
  std::size_t subscribers() const;
  std::uint64_t packets() const { return packets_; }
  int connections() const { return connections_; }

 private:
  struct Sub {
    std::shared_ptr<live::PacketSubscriber> subscriber;
    bool opened = false;
  };
  void Run();

  const std::filesystem::path file_;
  const std::string id_;
  const bool reconnect_;
  mutable std::mutex mu_;
  std::vector<Sub> subs_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<int> connections_{1};
  std::thread thread_;
};

// Makes a 320x240 25 fps H.264 MP4 of `seconds` with ffmpeg (2 s GOP; `bframes` > 0 adds B-frames).
std::filesystem::path MakeH264File(const std::filesystem::path& dir, int seconds, int bframes = 0);

}  // namespace pw::test
