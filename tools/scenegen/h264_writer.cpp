#include "scenegen/h264_writer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

extern char** environ;

namespace pw::scenegen {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  return out;
}

// write() with SIGPIPE blocked on this thread; a pending SIGPIPE is consumed afterwards.
bool WriteAll(int fd, const uint8_t* data, size_t size) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  bool ok = true;
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  if (!ok) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return ok;
}

}  // namespace

H264Writer::~H264Writer() {
  if (pid_ > 0) (void)Close();
}

core::Status H264Writer::Open(const std::string& path, const H264Settings& s) {
  if (pid_ > 0) return core::Status::Conflict("H264Writer is already open");
  if (s.width <= 0 || s.height <= 0 || s.width % 2 || s.height % 2) {
    return core::Status::InvalidArgument("video width and height must be positive and even, got " +
                                         std::to_string(s.width) + "x" + std::to_string(s.height));
  }
  if (s.fps <= 0 || s.gop <= 0) {
    return core::Status::InvalidArgument("video fps and GOP must be positive");
  }
  settings_ = s;
  path_ = path;
  int in_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return core::Status::Internal("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]), close(in_pipe[1]);
    return core::Status::Internal("pipe failed");
  }
  const std::vector<std::string> args = {
      "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
      "-f", "rawvideo", "-pix_fmt", "bgr24",
      "-video_size", std::to_string(s.width) + "x" + std::to_string(s.height),
      "-framerate", std::to_string(s.fps), "-i", "pipe:0", "-an",
      "-c:v", "libx264", "-preset", s.preset, "-crf", std::to_string(s.crf),
      "-pix_fmt", "yuv420p", "-g", std::to_string(s.gop), "-keyint_min", std::to_string(s.gop),
      "-sc_threshold", "0", "-bf", "0", "-movflags", "+faststart", path};
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  const int rc = posix_spawnp(&pid_, "ffmpeg", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(err_pipe[1]);
  if (rc != 0) {
    pid_ = -1;
    close(in_pipe[1]), close(err_pipe[0]);
    return core::Status::Unavailable(std::string("cannot start ffmpeg (") + std::strerror(rc) +
                                     "): install the ffmpeg package to write videos");
  }
  stdin_fd_ = in_pipe[1];
  stderr_fd_ = err_pipe[0];
  return core::Status::Ok();
}

core::Status H264Writer::Write(const cv::Mat& frame) {
  if (pid_ <= 0) return core::Status::Conflict("H264Writer is not open");
  if (frame.type() != CV_8UC3 || frame.cols != settings_.width || frame.rows != settings_.height) {
    return core::Status::InvalidArgument("frame is not " + std::to_string(settings_.width) + "x" +
                                         std::to_string(settings_.height) + " BGR");
  }
  const cv::Mat packed = frame.isContinuous() ? frame : frame.clone();
  if (!WriteAll(stdin_fd_, packed.data, packed.total() * packed.elemSize())) {
    return core::Status::Internal("ffmpeg stopped accepting frames for " + path_ +
                                  "; see its message when closing");
  }
  return core::Status::Ok();
}

core::Status H264Writer::Close() {
  if (pid_ <= 0) return core::Status::Ok();
  close(stdin_fd_);
  stdin_fd_ = -1;
  const std::string err = ReadAll(stderr_fd_);
  close(stderr_fd_);
  stderr_fd_ = -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return core::Status::Internal("ffmpeg failed writing " + path_ + ": " + err);
  }
  return core::Status::Ok();
}

}  // namespace pw::scenegen
