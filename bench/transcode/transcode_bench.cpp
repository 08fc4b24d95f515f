// Transcode benchmark: what one browser-video transcode (live::Transcoder: decode + libx264
// ultrafast/zerolatency baseline) costs per camera, against the decode-only baseline that every
// camera pays anyway (ingest), both measured in this run on the same packets.
//   - sources: H.264 with B-frames (-bf 2) and H.265 (libx265), 640x360 and 1280x720, 25 fps,
//     `seconds` long (ffmpeg's testsrc2: moving picture), made with the ffmpeg CLI;
//   - decode only: one thread, as fast as possible: CPU ms per frame;
//   - transcode: fed as fast as possible (queue large enough to drop nothing): frames per second
//     achieved (wall: depends on what else runs), frames per CPU-second, CPU ms per frame, the % of
//     one core a 25 fps camera costs, and the ratio to decode alone.
//   - real time: the 720p H.264 source fed at 25 fps: the transcoder's own CPU% and fps (stats).
// Usage: transcode_bench [seconds=10]
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "live/transcoder.h"
#include "media/demuxer.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace pw::live;

namespace {

double ProcessCpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct Clip {
  std::unique_ptr<pw::media::Demuxer> demuxer;  // keeps codecpar alive
  StreamInfo info;
  std::vector<pw::media::PacketPtr> packets;
};

Clip Load(const fs::path& file) {
  Clip c;
  auto dm = pw::media::Demuxer::Open(file);
  if (!dm.ok()) {
    std::fprintf(stderr, "%s\n", dm.status().ToString().c_str());
    std::exit(1);
  }
  c.demuxer = std::move(*dm);
  AVStream* vs = c.demuxer->video_stream();
  c.info = {vs->index, AVMEDIA_TYPE_VIDEO, vs->time_base, vs->codecpar};
  auto pkt = pw::media::MakePacket();
  while (true) {
    auto more = c.demuxer->Read(pkt.get());
    if (!more.ok() || !*more) break;
    if (pkt->stream_index == vs->index) c.packets.emplace_back(av_packet_clone(pkt.get()));
  }
  return c;
}

fs::path MakeClip(const fs::path& dir, const std::string& codec, const std::string& size, int seconds) {
  const fs::path out = dir / (codec + "_" + size + ".mp4");
  std::string enc = codec == "h265" ? "-c:v libx265 -preset ultrafast -x265-params log-level=error:bframes=2"
                                    : "-c:v libx264 -preset veryfast -profile:v main -bf 2";
  std::string cmd = "ffmpeg -v error -y -f lavfi -i testsrc2=size=" + size + ":rate=25:duration=" +
                    std::to_string(seconds) + " -g 50 -pix_fmt yuv420p " + enc + " " + out.string();
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "ffmpeg failed: %s\n", cmd.c_str());
    std::exit(1);
  }
  return out;
}

// Decode only (one thread, slice threading off as in the ingest): CPU ms per frame.
double DecodeMsPerFrame(const Clip& clip) {
  const AVCodec* codec = avcodec_find_decoder(clip.info.codecpar->codec_id);
  pw::media::CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), clip.info.codecpar);
  dec->thread_count = 1;
  avcodec_open2(dec.get(), codec, nullptr);
  auto frame = pw::media::MakeFrame();
  int frames = 0;
  const double cpu0 = ThreadCpuMs();
  for (const auto& p : clip.packets) {
    avcodec_send_packet(dec.get(), p.get());
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) ++frames;
  }
  avcodec_send_packet(dec.get(), nullptr);
  while (avcodec_receive_frame(dec.get(), frame.get()) == 0) ++frames;
  return (ThreadCpuMs() - cpu0) / std::max(frames, 1);
}

class Counter final : public PacketSubscriber {
 public:
  void OnOpen(const std::vector<StreamInfo>&) override {}
  void OnPacket(const StreamInfo&, const AVPacket&) override { ++packets; }
  void OnClose(const std::string&) override { closed = true; }
  std::atomic<int> packets{0};
  std::atomic<bool> closed{false};
};

struct TranscodeRun {
  double fps, cpu_ms_per_frame;
  int frames;
};

TranscodeRun TranscodeFlatOut(const Clip& clip) {
  TranscodeOptions o;
  o.camera_id = "bench";
  o.queue_packets = clip.packets.size() + 1;
  Transcoder tx(o);
  auto out = std::make_shared<Counter>();
  tx.AddSubscriber(out);
  const double cpu0 = ProcessCpuMs();
  const auto t0 = Clock::now();
  tx.OnOpen({clip.info});
  for (const auto& p : clip.packets) tx.OnPacket(clip.info, *p);
  tx.OnClose("end");
  while (!out->closed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = ProcessCpuMs() - cpu0;
  return {out->packets / wall, cpu / std::max(out->packets.load(), 1), out->packets};
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::max(2, std::atoi(argv[1])) : 10;
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir = fs::temp_directory_path() / ("pw_transcode_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::printf("one transcode (decode + libx264 ultrafast zerolatency baseline, 1 thread) vs decode only; %d s clips, 25 fps\n",
              seconds);
  std::printf("%-6s %-10s | %-12s | %-10s %-12s %-12s %-12s %-8s\n", "source", "size", "decode ms/fr", "wall fps",
              "fps per core", "CPU ms/fr", "%core@25fps", "x decode");
  for (const std::string size : {"640x360", "1280x720"}) {
    for (const std::string codec : {"h264", "h265"}) {
      Clip clip = Load(MakeClip(dir, codec, size, seconds));
      const double dec = DecodeMsPerFrame(clip);
      const TranscodeRun tx = TranscodeFlatOut(clip);
      std::printf("%-6s %-10s | %12.2f | %10.0f %12.0f %12.2f %12.1f %8.1f\n", codec.c_str(), size.c_str(), dec, tx.fps,
                  1000.0 / tx.cpu_ms_per_frame, tx.cpu_ms_per_frame, tx.cpu_ms_per_frame * 25 / 10,
                  tx.cpu_ms_per_frame / dec);
    }
  }
  {  // real time: the transcoder's own view of its CPU at 25 fps
    Clip clip = Load(MakeClip(dir, "h264", "1280x720", seconds));
    TranscodeOptions o;
    o.camera_id = "bench";
    Transcoder tx(o);
    auto out = std::make_shared<Counter>();
    tx.AddSubscriber(out);
    tx.OnOpen({clip.info});
    const auto t0 = Clock::now();
    TranscodeStats last;
    for (std::size_t i = 0; i < clip.packets.size(); ++i) {
      std::this_thread::sleep_until(t0 + std::chrono::milliseconds(40 * i));
      tx.OnPacket(clip.info, *clip.packets[i]);
      if (i + 10 == clip.packets.size()) last = tx.Stats();
    }
    tx.OnClose("end");
    std::printf("real time 1280x720 H.264 (B-frames) at 25 fps: transcoder %.1f fps, %.0f %% of one core, %.2f ms CPU/frame, "
                "dropped %llu, decode errors %llu\n",
                last.fps, last.cpu_percent, last.cpu_ms_per_frame, static_cast<unsigned long long>(last.packets_dropped),
                static_cast<unsigned long long>(last.decode_errors));
  }
  fs::remove_all(dir);
  return 0;
}
