// Live camera benchmarks against the real RTSP test camera (tools/rtsp-test-server):
//   - time to first frame (connect + DESCRIBE/SETUP/PLAY + first decoded frame), 5 runs;
//   - reconnect time after the camera comes back (its port open again → next decoded frame), with
//     the production backoff (250 ms doubling, 2 s cap), 5 runs; goal < 2 s;
//   - CPU per camera for ingest only (RTSP read + H.264 decode), 320x240 and 1280x720 at 25 fps;
//   - MJPEG with 20 viewers: JPEG encodes per picture (1.0 = one shared encode) and the cost that
//     per-viewer encoding would have had.
// Usage: live_bench [seconds=10]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "live/mjpeg_feed.h"
#include "live/rtsp_ingest.h"
#include "media/image.h"

extern char** environ;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace pw::live;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool WaitFor(const std::function<bool()>& f, std::chrono::milliseconds ceiling) {
  auto end = Clock::now() + ceiling;
  while (!f()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class Camera {
 public:
  explicit Camera(std::vector<std::string> extra) : extra_(std::move(extra)) {
    bin_ = fs::read_symlink("/proc/self/exe").parent_path() / "../../tools/rtsp-test-server/pw_rtsp_test_server";
    out_ = fs::temp_directory_path() / ("pw_live_bench_" + std::to_string(getpid()) + ".out");
  }
  ~Camera() {
    Kill();
    fs::remove(out_);
  }
  bool Start(int port = 0) {
    std::vector<std::string> args = {bin_.string(), "--port", std::to_string(port)};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    fs::remove(out_);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, bin_.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return false;
    return WaitFor([&] {
      std::ifstream in(out_);
      std::string w;
      while (in >> w) {
        if (w == "PORT" && in >> port_) return true;
      }
      return false;
    }, 20s);
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }
  int port() const { return port_; }

 private:
  std::vector<std::string> extra_;
  fs::path bin_, out_;
  pid_t pid_ = -1;
  int port_ = 0;
};

IngestOptions Options(const std::string& url) {
  IngestOptions o;
  o.camera_id = "bench";
  o.url = url;
  return o;  // production defaults: 2 s watchdog, 250 ms → 2 s backoff
}

void Summary(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::printf("%-44s median %7.1f ms   min %7.1f   max %7.1f   (n=%zu)\n", what, v[v.size() / 2], v.front(), v.back(), v.size());
}

void TimeToFirstFrame() {
  Camera cam({});
  if (!cam.Start()) return void(std::printf("cannot start the test camera\n"));
  std::vector<double> ttff;
  for (int i = 0; i < 5; ++i) {
    auto slot = std::make_shared<LatestFrame>();
    RtspIngest ingest(Options(cam.url()), slot);
    auto t0 = Clock::now();
    ingest.Start();
    if (slot->WaitNewer(0, 10s)) ttff.push_back(Ms(Clock::now() - t0));
  }
  if (!ttff.empty()) Summary("time to first frame (camera up)", ttff);
}

void Reconnect() {
  Camera cam({});
  if (!cam.Start()) return;
  auto slot = std::make_shared<LatestFrame>();
  RtspIngest ingest(Options(cam.url()), slot);
  ingest.Start();
  WaitFor([&] { return ingest.Stats().state == IngestState::kStreaming; }, 10s);
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    cam.Kill();
    WaitFor([&] { return ingest.Stats().state != IngestState::kStreaming; }, 5s);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 400 * i));  // down for a while
    const int port = cam.port();
    cam.Start(port);
    auto back = Clock::now();
    auto seq = slot->seq();
    if (slot->WaitNewer(seq, 10s)->seq > seq) times.push_back(Ms(Clock::now() - back));
  }
  if (!times.empty()) Summary("reconnect after the camera returns", times);
}

void IngestCpu(const char* size, int cameras, double seconds) {
  Camera cam({"--size", size, "--fps", "25"});
  if (!cam.Start()) return;
  std::vector<std::unique_ptr<RtspIngest>> ingests;
  std::vector<std::shared_ptr<LatestFrame>> slots;
  for (int i = 0; i < cameras; ++i) {
    slots.push_back(std::make_shared<LatestFrame>());
    ingests.push_back(std::make_unique<RtspIngest>(Options(cam.url()), slots.back()));
    ingests.back()->Start();
  }
  for (auto& in : ingests) WaitFor([&] { return in->Stats().state == IngestState::kStreaming; }, 10s);
  std::this_thread::sleep_for(1s);
  std::uint64_t frames0 = 0;
  for (auto& in : ingests) frames0 += in->Stats().frames;
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  double cpu = CpuSeconds() - cpu0;
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::uint64_t frames = 0;
  for (auto& in : ingests) frames += in->Stats().frames;
  std::printf("ingest CPU %-9s x%d cameras: %5.1f %% of a core per camera, %6.2f ms per frame (%.1f fps each)\n", size,
              cameras, 100 * cpu / wall / cameras, 1000 * cpu / static_cast<double>(frames - frames0),
              static_cast<double>(frames - frames0) / wall / cameras);
}

void Mjpeg(double seconds) {
  Camera cam({"--size", "1280x720", "--fps", "25"});
  if (!cam.Start()) return;
  auto slot = std::make_shared<LatestFrame>();
  RtspIngest ingest(Options(cam.url()), slot);
  ingest.Start();
  WaitFor([&] { return ingest.Stats().state == IngestState::kStreaming; }, 10s);
  // Baseline: what one encode of this frame costs.
  auto frame = slot->WaitNewer(0, 5s);
  auto t0 = Clock::now();
  const int reps = 20;
  for (int i = 0; i < reps; ++i) (void)pw::media::EncodeJpeg(*frame->frame, 0, 80);
  double encode_ms = Ms(Clock::now() - t0) / reps;

  auto feed = MjpegFeed::Create(slot, {.fps = 10, .quality = 80});
  const auto encodes0 = LiveJpegEncodes();
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> delivered{0};
  std::vector<std::thread> viewers;
  for (int v = 0; v < 20; ++v) {
    viewers.emplace_back([&] {
      auto viewer = feed->Join();
      while (!stop) {
        if (viewer->WaitNext(1s)) ++delivered;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : viewers) t.join();
  auto encodes = LiveJpegEncodes() - encodes0;
  auto pictures = feed->pictures();
  std::printf("MJPEG 20 viewers @10 fps (720p): %llu pictures, %llu encodes (%.2f per picture), %llu deliveries\n",
              static_cast<unsigned long long>(pictures), static_cast<unsigned long long>(encodes),
              pictures ? static_cast<double>(encodes) / static_cast<double>(pictures) : 0.0,
              static_cast<unsigned long long>(delivered.load()));
  std::printf("  one 720p encode %.2f ms: shared = %.1f ms/s of CPU, per-viewer encoding would be %.1f ms/s (x20)\n",
              encode_ms, encode_ms * static_cast<double>(pictures) / seconds,
              encode_ms * static_cast<double>(pictures) * 20 / seconds);
  feed->Shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  spdlog::set_level(spdlog::level::err);
  TimeToFirstFrame();
  Reconnect();
  IngestCpu("320x240", 1, seconds);
  IngestCpu("1280x720", 1, seconds);
  IngestCpu("1280x720", 4, seconds);
  Mjpeg(seconds / 2);
  return 0;
}
