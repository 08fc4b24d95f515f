// Transcoder and BrowserVideo on real media made with the ffmpeg CLI at test time: H.264 with
// B-frames and H.265 come out as H.264 without B-frames (pts == dts, increasing), decodable, frame
// for frame; one transcoder serves every subscriber and stops with them; H.264 without B-frames is
// forwarded untouched; a transcoder that falls behind skips to a keyframe instead of queueing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "live/browser_video.h"
#include "live/transcoder.h"
#include "media/demuxer.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;

// Records what a subscriber receives.
class Collector final : public PacketSubscriber {
 public:
  struct Packet {
    int64_t pts, dts;
    bool key;
    std::string data;
  };
  void OnOpen(const std::vector<StreamInfo>& streams) override {
    std::lock_guard lock(mu_);
    ++opens_;
    codec_ = AV_CODEC_ID_NONE;
    for (const auto& s : streams) {
      if (s.type != AVMEDIA_TYPE_VIDEO) continue;
      codec_ = s.codecpar->codec_id;
      profile_ = s.codecpar->profile;
      video_delay_ = s.codecpar->video_delay;
      extradata_ = s.codecpar->extradata_size;
      width_ = s.codecpar->width;
    }
  }
  void OnPacket(const StreamInfo&, const AVPacket& p) override {
    std::lock_guard lock(mu_);
    packets_.push_back({p.pts, p.dts, (p.flags & AV_PKT_FLAG_KEY) != 0,
                        std::string(reinterpret_cast<const char*>(p.data), p.size)});
  }
  void OnClose(const std::string&) override { ++closes_; }

  std::vector<Packet> packets() const {
    std::lock_guard lock(mu_);
    return packets_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return packets_.size();
  }
  int opens() const {
    std::lock_guard lock(mu_);
    return opens_;
  }
  AVCodecID codec() const {
    std::lock_guard lock(mu_);
    return codec_;
  }
  int profile() const {
    std::lock_guard lock(mu_);
    return profile_;
  }
  int video_delay() const {
    std::lock_guard lock(mu_);
    return video_delay_;
  }
  int extradata_size() const {
    std::lock_guard lock(mu_);
    return extradata_;
  }
  int width() const {
    std::lock_guard lock(mu_);
    return width_;
  }
  std::atomic<int> closes_{0};

 private:
  mutable std::mutex mu_;
  std::vector<Packet> packets_;
  int opens_ = 0, profile_ = 0, video_delay_ = 0, extradata_ = 0, width_ = 0;
  AVCodecID codec_ = AV_CODEC_ID_NONE;
};

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

constexpr int kFrames = 50;  // 2 s at 25 fps

// A 320x240 25 fps clip with 1 s GOPs: H.264 ("h264", `bframes`) or H.265 ("h265").
std::filesystem::path MakeClip(const pw::test::TempDir& dir, const std::string& codec, int bframes = 0) {
  const auto path = dir / (codec + "_bf" + std::to_string(bframes) + ".mp4");
  std::vector<std::string> argv = {"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                                   "testsrc=size=320x240:rate=25:duration=2", "-g", "25", "-pix_fmt", "yuv420p"};
  if (codec == "h265") {
    for (const char* a : {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=2"}) {
      argv.emplace_back(a);
    }
  } else {
    argv.insert(argv.end(), {"-c:v", "libx264", "-preset", "ultrafast", "-profile:v", bframes ? "main" : "baseline",
                             "-bf", std::to_string(bframes)});
  }
  argv.push_back(path.string());
  auto r = pw::test::RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

// Plays `file` into `sub` like a camera connection, as fast as possible: OnOpen, every video
// packet, OnClose. Returns the input packets' pts (decode order).
std::vector<int64_t> Feed(const std::filesystem::path& file, PacketSubscriber& sub, bool close = true,
                          const std::function<void(std::size_t)>& before_packet = {}) {
  auto dm = media::Demuxer::Open(file);
  EXPECT_TRUE(dm.ok()) << dm.status().ToString();
  if (!dm.ok()) return {};
  AVStream* vs = (*dm)->video_stream();
  const StreamInfo info{vs->index, AVMEDIA_TYPE_VIDEO, vs->time_base, vs->codecpar};
  sub.OnOpen({info});
  std::vector<int64_t> pts;
  auto pkt = media::MakePacket();
  while (true) {
    auto more = (*dm)->Read(pkt.get());
    if (!more.ok() || !*more) break;
    if (pkt->stream_index != vs->index) continue;
    if (before_packet) before_packet(pts.size());
    pts.push_back(pkt->pts);
    sub.OnPacket(info, *pkt);
  }
  if (close) sub.OnClose("end of file");
  return pts;
}

// NAL unit types (H.264, Annex B) in an access unit, as a bit set.
std::uint32_t NalTypes(const std::string& au) {
  std::uint32_t types = 0;
  for (std::size_t i = 0; i + 3 < au.size(); ++i) {
    if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) types |= 1u << (au[i + 3] & 0x1f);
  }
  return types;
}

// profile_idc of the first SPS in an access unit (-1 when there is none).
int SpsProfile(const std::string& au) {
  for (std::size_t i = 0; i + 4 < au.size(); ++i) {
    if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 && (au[i + 3] & 0x1f) == 7) {
      return static_cast<unsigned char>(au[i + 4]);
    }
  }
  return -1;
}

// Decodes the H.264 access units with libavcodec: the number of pictures.
int DecodeCount(const std::vector<Collector::Packet>& packets, int* width) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  media::CodecContextPtr dec(avcodec_alloc_context3(codec));
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return -1;
  auto pkt = media::MakePacket();
  auto frame = media::MakeFrame();
  int n = 0;
  auto receive = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      ++n;
      *width = frame->width;
    }
  };
  for (const auto& p : packets) {
    av_new_packet(pkt.get(), static_cast<int>(p.data.size()));
    std::copy(p.data.begin(), p.data.end(), pkt->data);
    pkt->pts = p.pts;
    EXPECT_GE(avcodec_send_packet(dec.get(), pkt.get()), 0);
    av_packet_unref(pkt.get());
    receive();
  }
  avcodec_send_packet(dec.get(), nullptr);
  receive();
  return n;
}

TranscodeOptions Roomy() {
  TranscodeOptions o;
  o.camera_id = "test";
  o.queue_packets = 1000;  // the test feeds faster than real time: no drops wanted here
  return o;
}

// The checks every transcoded stream must pass.
void ExpectBrowserReadyH264(const Collector& out, const std::vector<int64_t>& input_pts) {
  EXPECT_EQ(out.codec(), AV_CODEC_ID_H264);
  EXPECT_EQ(out.video_delay(), 0);
  EXPECT_EQ(out.profile(), FF_PROFILE_H264_CONSTRAINED_BASELINE);
  EXPECT_GT(out.extradata_size(), 0) << "SPS/PPS missing from the codec parameters";
  auto packets = out.packets();
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(SpsProfile(packets.front().data), 66) << "baseline (profile_idc 66) in the stream itself";
  ASSERT_EQ(packets.size(), input_pts.size()) << "one encoded frame per camera frame";
  ASSERT_TRUE(packets.front().key);
  std::vector<int64_t> sorted = input_pts;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].pts, packets[i].dts) << "packet " << i << ": B-frames in the output";
    EXPECT_EQ(packets[i].pts, sorted[i]) << "packet " << i << ": the source's pts, in presentation order";
    if (packets[i].key) {
      EXPECT_TRUE(NalTypes(packets[i].data) & (1u << 7)) << "keyframe " << i << " without SPS";
    }
  }
  int width = 0;
  EXPECT_EQ(DecodeCount(packets, &width), static_cast<int>(packets.size()));
  EXPECT_EQ(width, 320);
}

TEST(Transcoder, TurnsBFrameH264IntoBrowserReadyH264FrameForFrame) {
  ASSERT_TRUE(Transcoder::Available().ok()) << Transcoder::Available().ToString();
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 2);
  auto out = std::make_shared<Collector>();
  Transcoder tx(Roomy());
  tx.AddSubscriber(out);
  const auto input = Feed(clip, tx);
  ASSERT_EQ(input.size(), static_cast<std::size_t>(kFrames));
  ASSERT_TRUE(WaitFor([&] { return out->closes_ == 1; })) << out->count() << " packets";
  ExpectBrowserReadyH264(*out, input);
  const TranscodeStats s = tx.Stats();
  EXPECT_EQ(s.source_codec, "h264");
  EXPECT_EQ(s.frames_decoded, static_cast<std::uint64_t>(kFrames));
  EXPECT_EQ(s.frames_encoded, static_cast<std::uint64_t>(kFrames));
  EXPECT_EQ(s.packets_dropped, 0u);
  EXPECT_EQ(s.decode_errors, 0u);
  EXPECT_GE(s.keyframes, 2u) << "GOP of about a second";
  EXPECT_EQ(s.width, 320);
}

TEST(Transcoder, TurnsH265IntoBrowserReadyH264) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h265");
  auto out = std::make_shared<Collector>();
  Transcoder tx(Roomy());
  tx.AddSubscriber(out);
  const auto input = Feed(clip, tx);
  ASSERT_TRUE(WaitFor([&] { return out->closes_ == 1; }));
  ExpectBrowserReadyH264(*out, input);
  EXPECT_EQ(tx.Stats().source_codec, "hevc");
}

TEST(Transcoder, OneEncodeServesEverySubscriberAndALateOneStartsAtAKeyframe) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 2);
  auto a = std::make_shared<Collector>(), b = std::make_shared<Collector>(), late = std::make_shared<Collector>();
  Transcoder tx(Roomy());
  EXPECT_EQ(Transcoder::live_count(), 1);
  tx.AddSubscriber(a);
  tx.AddSubscriber(b);
  Feed(clip, tx, /*close=*/false, [&](std::size_t i) {
    if (i != 10) return;  // mid-GOP (keyframes at 0 and 25)
    ASSERT_TRUE(WaitFor([&] { return a->count() >= 5; }));
    tx.AddSubscriber(late);
  });
  ASSERT_TRUE(WaitFor([&] { return a->count() >= kFrames - 2; }));  // the decoder holds two (B-frames)
  EXPECT_TRUE(tx.RemoveSubscriber(a.get()));
  EXPECT_EQ(tx.subscriber_count(), 2u);
  tx.OnClose("end");
  ASSERT_TRUE(WaitFor([&] { return b->closes_ == 1; }));
  EXPECT_EQ(b->count(), static_cast<std::size_t>(kFrames));
  EXPECT_EQ(tx.Stats().frames_encoded, static_cast<std::uint64_t>(kFrames)) << "one encode, not one per subscriber";
  EXPECT_EQ(Transcoder::live_count(), 1);
  ASSERT_GT(late->count(), 30u);
  EXPECT_EQ(late->opens(), 1);
  EXPECT_TRUE(late->packets().front().key) << "a subscriber that joins gets a keyframe first";
  EXPECT_GT(tx.Stats().keyframes, 2u) << "the newcomer's keyframe is one more than the GOP's";
  EXPECT_EQ(a->closes_, 0) << "a removed subscriber gets nothing more";
  tx.Stop();
  EXPECT_EQ(Transcoder::live_count(), 0);
  EXPECT_FALSE(tx.Stats().running);
}

TEST(Transcoder, FallingBehindSkipsToTheNextKeyframeInsteadOfQueueing) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 2);
  TranscodeOptions o = Roomy();
  o.queue_packets = 3;
  auto out = std::make_shared<Collector>();
  Transcoder tx(o);
  tx.AddSubscriber(out);
  Feed(clip, tx);  // 50 packets at once: far faster than it can decode and encode
  // Which keyframes survive depends on how fast the worker runs: when every one was dropped the
  // output never opens (and so never closes). Wait for the close when it does, then stop.
  WaitFor([&] { return out->closes_ == 1; }, 3s);
  tx.Stop();
  const TranscodeStats s = tx.Stats();
  EXPECT_GT(s.skips, 0u);
  EXPECT_GT(s.packets_dropped, 0u);
  EXPECT_EQ(s.packets_in, static_cast<std::uint64_t>(kFrames));
  EXPECT_LT(s.frames_encoded, static_cast<std::uint64_t>(kFrames));
  EXPECT_EQ(s.decode_errors, 0u) << "input resumes at a keyframe, so nothing undecodable reaches the decoder";
  auto packets = out->packets();
  if (!packets.empty()) {
    EXPECT_TRUE(packets.front().key) << "output starts at a keyframe";
  }
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_GT(packets[i].pts, packets[i - 1].pts);
}

TEST(Transcoder, CountsDecodingErrorsAndCarriesOn) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 2);
  auto out = std::make_shared<Collector>();
  Transcoder tx(Roomy());
  tx.AddSubscriber(out);
  auto dm = media::Demuxer::Open(clip);
  ASSERT_TRUE(dm.ok());
  AVStream* vs = (*dm)->video_stream();
  const StreamInfo info{vs->index, AVMEDIA_TYPE_VIDEO, vs->time_base, vs->codecpar};
  tx.OnOpen({info});
  auto pkt = media::MakePacket();
  int n = 0;
  while (*(*dm)->Read(pkt.get())) {
    if (++n == 5) {  // garbage in the middle of a GOP
      for (int i = 0; i < pkt->size; ++i) pkt->data[i] = static_cast<uint8_t>(i * 37);
    }
    tx.OnPacket(info, *pkt);
  }
  tx.OnClose("end");
  ASSERT_TRUE(WaitFor([&] { return out->closes_ == 1; }));
  const TranscodeStats s = tx.Stats();
  EXPECT_GT(s.frames_encoded, static_cast<std::uint64_t>(kFrames / 2));
  EXPECT_TRUE(s.running);
}

TEST(ReorderDetector, SeesBFramesByPtsGoingBackOrDifferingFromDts) {
  auto packet = [](int64_t pts, int64_t dts) {
    AVPacket p{};
    p.pts = pts;
    p.dts = dts;
    return p;
  };
  ReorderDetector rtsp;  // RTSP: pts only
  EXPECT_FALSE(rtsp.Add(packet(0, AV_NOPTS_VALUE)));
  EXPECT_FALSE(rtsp.Add(packet(3600, AV_NOPTS_VALUE)));
  EXPECT_FALSE(rtsp.Add(packet(10800, AV_NOPTS_VALUE)));
  EXPECT_TRUE(rtsp.Add(packet(7200, AV_NOPTS_VALUE)));
  ReorderDetector file;  // MP4: dts lags pts
  EXPECT_TRUE(file.Add(packet(1024, 0)));
  ReorderDetector plain;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(plain.Add(packet(i * 40, i * 40)));
}

TEST(BrowserVideo, ForwardsH264WithoutBFramesUntouched) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 0);
  auto out = std::make_shared<Collector>();
  BrowserVideo video("cam1");
  video.AddSubscriber(out);
  const auto input = Feed(clip, video, /*close=*/false);
  EXPECT_EQ(video.path(), VideoPath::kForward);
  EXPECT_EQ(video.transcoder(), nullptr);
  EXPECT_EQ(Transcoder::live_count(), 0);
  EXPECT_EQ(out->count(), input.size()) << "every packet, the probed ones included";
  EXPECT_EQ(video.ToJson()["video_path"], "forward");
  video.OnClose("end");
  EXPECT_EQ(out->closes_, 1);
}

TEST(BrowserVideo, OneTranscoderForAllViewersOfABFrameCameraStoppedWithThem) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h264", 2);
  std::vector<std::shared_ptr<Collector>> viewers;
  BrowserVideo video("cam1", Roomy());
  for (int i = 0; i < 3; ++i) {
    viewers.push_back(std::make_shared<Collector>());
    video.AddSubscriber(viewers.back());
  }
  const auto input = Feed(clip, video, /*close=*/false);
  EXPECT_EQ(video.path(), VideoPath::kTranscode);
  ASSERT_NE(video.transcoder(), nullptr);
  EXPECT_EQ(Transcoder::live_count(), 1) << "one transcoder per camera, not per viewer";
  for (const auto& v : viewers) {
    ASSERT_TRUE(WaitFor([&] { return v->count() >= input.size() - 3; })) << v->count();
    EXPECT_EQ(v->codec(), AV_CODEC_ID_H264);
    for (const auto& p : v->packets()) EXPECT_EQ(p.pts, p.dts);
  }
  auto json = video.ToJson();
  EXPECT_EQ(json["video_path"], "transcode");
  EXPECT_EQ(json["subscribers"], 3);
  EXPECT_GT(json["transcode"]["frames_encoded"].get<int>(), 40);
  video.Stop();
  EXPECT_EQ(Transcoder::live_count(), 0);
}

TEST(BrowserVideo, H265CameraIsTranscoded) {
  pw::test::TempDir dir;
  const auto clip = MakeClip(dir, "h265");
  auto out = std::make_shared<Collector>();
  BrowserVideo video("cam1", Roomy());
  video.AddSubscriber(out);
  Feed(clip, video);
  EXPECT_EQ(video.path(), VideoPath::kTranscode);
  ASSERT_TRUE(WaitFor([&] { return out->closes_ >= 1; }));
  EXPECT_EQ(out->codec(), AV_CODEC_ID_H264);
  EXPECT_EQ(out->count(), static_cast<std::size_t>(kFrames));
}

TEST(BrowserVideo, StreamWithoutVideoIsUnsupportedWithAReason) {
  BrowserVideo video("cam1");
  auto out = std::make_shared<Collector>();
  video.AddSubscriber(out);
  AVCodecParameters* par = avcodec_parameters_alloc();
  par->codec_type = AVMEDIA_TYPE_AUDIO;
  par->codec_id = AV_CODEC_ID_PCM_MULAW;
  video.OnOpen({StreamInfo{0, AVMEDIA_TYPE_AUDIO, {1, 8000}, par}});
  EXPECT_EQ(video.path(), VideoPath::kUnsupported);
  EXPECT_NE(video.unsupported_reason().find("no video"), std::string::npos);
  EXPECT_EQ(out->opens(), 1) << "subscribers see the camera's streams and can tell why";
  video.OnClose("end");
  avcodec_parameters_free(&par);
}

}  // namespace
}  // namespace pw::live
