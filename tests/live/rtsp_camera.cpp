#include "rtsp_camera.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace pw::live::test {

namespace fs = std::filesystem;

std::string RtspServerBinary() {
  fs::path p = fs::path(PW_TEST_BINARY_DIR) / "tools" / "rtsp-test-server" / "pw_rtsp_test_server";
  return fs::exists(p) ? p.string() : "";
}

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds ceiling) {
  auto end = std::chrono::steady_clock::now() + ceiling;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

namespace {
int CountEntries(const char* dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

int OpenFdCount() { return CountEntries("/proc/self/fd"); }
int ThreadCount() { return CountEntries("/proc/self/task"); }

RtspCamera::RtspCamera(RtspCameraOptions options) : options_(std::move(options)) {}

RtspCamera::~RtspCamera() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    Kill();
  }
}

void RtspCamera::Start(int port) {
  ASSERT_LT(pid_, 0) << "already running";
  std::string bin = RtspServerBinary();
  ASSERT_FALSE(bin.empty()) << "pw_rtsp_test_server was not built";
  std::vector<std::string> args = {bin, "--port", std::to_string(port), "--fps", std::to_string(options_.fps),
                                   "--bframes", std::to_string(options_.bframes), "--pattern", options_.pattern};
  if (options_.audio) args.push_back("--audio");
  if (options_.codec != "h264") args.insert(args.end(), {"--codec", options_.codec});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const fs::path out = dir_ / "server.out";
  fs::remove(out);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, (dir_ / "server.err").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int rc = posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ASSERT_EQ(rc, 0) << "cannot start " << bin;
  int found = 0;
  bool ok = WaitFor(
      [&] {
        std::ifstream in(out);
        std::string word;
        while (in >> word) {
          if (word == "PORT" && in >> found) return true;
        }
        return false;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(ok) << "the RTSP test server did not report its port: " << pw::test::ReadFile(dir_ / "server.err");
  port_ = found;
}

void RtspCamera::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RtspCamera::Freeze() { ::kill(pid_, SIGSTOP); }
void RtspCamera::Thaw() { ::kill(pid_, SIGCONT); }
void RtspCamera::ToggleVideo() { ::kill(pid_, SIGUSR1); }

ProbedVideo ProbeVideoFile(const std::filesystem::path& file) {
  ProbedVideo p;
  auto r = pw::test::RunCommand({"ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                 "stream=nb_read_frames:format=duration", "-of", "default=nw=1", file.string()});
  if (r.exit_code != 0) return p;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex(R"(nb_read_frames=(\d+))"))) p.frames = std::stoi(m[1]);
  if (std::regex_search(r.out, m, std::regex(R"(duration=([\d.]+))"))) p.duration = std::stod(m[1]);
  return p;
}

}  // namespace pw::live::test
