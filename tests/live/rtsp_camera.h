// RtspCamera: a real RTSP camera for tests — runs tools/rtsp-test-server (gst-rtsp-server) on
// 127.0.0.1 and lets a test kill it (SIGKILL), freeze it (SIGSTOP/SIGCONT), stop its video while
// audio goes on (SIGUSR1) and restart it on the same port. Also: WaitFor() for polling conditions
// with a generous ceiling instead of sleeping, and counts of this process's open fds and threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace pw::live::test {

struct RtspCameraOptions {
  int bframes = 0;
  bool audio = false;
  int fps = 25;
  std::string pattern = "ball";
  std::string codec = "h264";  // or "h265"
};

class RtspCamera {
 public:
  explicit RtspCamera(RtspCameraOptions options = {});
  ~RtspCamera();
  RtspCamera(const RtspCamera&) = delete;
  RtspCamera& operator=(const RtspCamera&) = delete;

  // Starts the server (port 0: a free one; otherwise that port). Fails the test on error.
  void Start(int port = 0);
  void Kill();               // SIGKILL + reap
  void Freeze();             // SIGSTOP: the socket stays open, nothing is sent
  void Thaw();               // SIGCONT
  void ToggleVideo();        // SIGUSR1: drop / resume video packets (audio continues)
  void Restart() { Kill(); Start(port_); }
  int port() const { return port_; }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }
  bool running() const { return pid_ > 0; }

 private:
  RtspCameraOptions options_;
  pw::test::TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Path of the fixture binary; empty when it was not built.
std::string RtspServerBinary();
// A TCP port on 127.0.0.1 that nothing listens on right now.
int UnusedPort();

// Polls `condition` every 20 ms until it holds or `ceiling` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds ceiling);

int OpenFdCount();
int ThreadCount();

// What ffprobe reads from a recorded file: decoded video frames and the duration (-1: unreadable).
struct ProbedVideo {
  double duration = -1;
  int frames = -1;
};
ProbedVideo ProbeVideoFile(const std::filesystem::path& file);

}  // namespace pw::live::test
