// LiveHlsStream and LiveHls fed with the packets of a real H.264 file (made with the ffmpeg CLI):
// the LL-HLS playlist, decodability of init + parts and of init + segments with ffprobe, blocking
// reloads, reconnects (discontinuity, new init on a codec change), the ring bound and H.265.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "live/live_hls.h"
#include "media/demuxer.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds ceiling) {
  const auto end = Clock::now() + ceiling;
  while (!condition()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A real clip: 25 fps, a keyframe every second, no B-frames (like a camera), MPEG-TS (Annex B).
std::filesystem::path MakeClip(const pw::test::TempDir& dir, const std::string& name, const std::string& size,
                               int seconds, const std::string& codec = "libx264") {
  auto path = dir / name;
  auto r = pw::test::RunCommand({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                                 "testsrc=size=" + size + ":rate=25:duration=" + std::to_string(seconds), "-c:v",
                                 codec, "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

// Feeds a clip to a subscriber as one camera connection (OnOpen, packets, optionally OnClose).
class Feeder {
 public:
  // like_rtsp: the video parameters without picture size and SPS/PPS, as the RTSP ingest may give
  // them (no avformat_find_stream_info, no sprop-parameter-sets in the SDP).
  explicit Feeder(const std::filesystem::path& clip, bool like_rtsp = false) {
    auto d = media::Demuxer::Open(clip);
    EXPECT_TRUE(d.ok()) << d.status().message();
    demuxer_ = std::move(*d);
    for (unsigned i = 0; i < demuxer_->ctx()->nb_streams; ++i) {
      AVStream* st = demuxer_->ctx()->streams[i];
      const AVCodecParameters* par = st->codecpar;
      if (like_rtsp && static_cast<int>(i) == demuxer_->video_index()) {
        stripped_.reset(avcodec_parameters_alloc());
        stripped_->codec_type = par->codec_type;
        stripped_->codec_id = par->codec_id;
        par = stripped_.get();
      }
      streams_.push_back({static_cast<int>(i), st->codecpar->codec_type, st->time_base, par});
    }
  }
  void Open(PacketSubscriber& s) { s.OnOpen(streams_); }
  // Feeds up to `max` video packets; returns how many were fed.
  int Feed(PacketSubscriber& s, int max = 1 << 30) {
    auto pkt = media::MakePacket();
    int n = 0;
    while (n < max) {
      auto more = demuxer_->Read(pkt.get());
      if (!more.ok() || !*more) break;
      s.OnPacket(streams_[pkt->stream_index], *pkt);
      if (pkt->stream_index == demuxer_->video_index()) ++n;
    }
    return n;
  }

 private:
  std::unique_ptr<media::Demuxer> demuxer_;
  std::vector<StreamInfo> streams_;
  media::CodecParamsPtr stripped_;
};

LiveHlsStreamOptions SmallRing(std::size_t segments = 6) {
  LiveHlsStreamOptions o;
  o.part_target_s = 0.4;
  o.segment_target_s = 2.0;
  o.max_segments = segments;
  return o;
}

int CountFrames(const std::filesystem::path& file) {
  auto r = pw::test::RunCommand({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                 "stream=nb_read_frames", "-of", "csv=p=0", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? std::atoi(r.out.c_str()) : -1;
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

std::string Bytes(LiveHlsStream& s, LiveHlsName::Kind kind, std::uint64_t msn, std::uint64_t part = 0) {
  auto r = s.Resource({kind, msn, part});
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? **r : std::string();
}

TEST(LiveHlsStream, WritesLowLatencyPlaylistWithPartsHintsAndDates) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "a.ts", "320x240", 7));
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  EXPECT_EQ(s->Ready().code(), core::Code::kUnavailable);
  feed.Open(*s);
  feed.Feed(*s, 25 * 5 + 10);  // 5.4 s: two complete segments, the third in progress
  ASSERT_TRUE(s->Ready().ok());
  auto pl = s->Playlist("live/");
  ASSERT_TRUE(pl.ok());
  const std::string& t = *pl;
  EXPECT_EQ(t.rfind("#EXTM3U\n#EXT-X-VERSION:9\n", 0), 0u) << t;
  EXPECT_NE(t.find("#EXT-X-TARGETDURATION:2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.200"), std::string::npos) << t;
  EXPECT_NE(t.find("#EXT-X-PART-INF:PART-TARGET=0.400\n"), std::string::npos) << t;
  EXPECT_NE(t.find("#EXT-X-MAP:URI=\"live/init-1.mp4\"\n"), std::string::npos) << t;
  EXPECT_NE(t.find("#EXTINF:2.00000,\nlive/seg-0.m4s\n"), std::string::npos) << t;
  EXPECT_NE(t.find("#EXTINF:2.00000,\nlive/seg-1.m4s\n"), std::string::npos) << t;
  EXPECT_EQ(t.find("seg-2.m4s"), std::string::npos) << "segment 2 is in progress:\n" << t;
  EXPECT_EQ(Count(t, "#EXT-X-PROGRAM-DATE-TIME:"), 3u) << t;
  EXPECT_TRUE(std::regex_search(t, std::regex(R"(#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  // Segment 0 starts at a keyframe; its parts are at most 0.4 s (10 frames at 25 fps).
  EXPECT_NE(t.find("#EXT-X-PART:DURATION=0.40000,URI=\"live/part-0.0.m4s\",INDEPENDENT=YES\n"), std::string::npos) << t;
  EXPECT_NE(t.find("URI=\"live/part-0.1.m4s\"\n"), std::string::npos) << "not independent:\n" << t;
  std::smatch m;
  for (auto it = t.cbegin(); std::regex_search(it, t.cend(), m, std::regex(R"(PART:DURATION=([0-9.]+))")); it = m[0].second) {
    EXPECT_LE(std::stod(m[1]), 0.4 + 1e-9);
  }
  EXPECT_NE(t.find("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"live/part-2."), std::string::npos) << t;
  EXPECT_TRUE(s->Available(2, 0));
  EXPECT_FALSE(s->Available(2, 0 + 10));
  EXPECT_FALSE(s->Available(2, -1));
  EXPECT_TRUE(s->Available(1, 99)) << "past a complete segment's last part means the next segment's part 0";
}

TEST(LiveHlsStream, InitPlusPartsAndInitPlusSegmentsDecodeToEveryFrame) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "a.ts", "320x240", 6));
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  feed.Open(*s);
  const int fed = feed.Feed(*s);
  s->OnClose("end of file");  // completes the last segment
  ASSERT_EQ(s->next_msn(), 3u);
  std::string by_segment = Bytes(*s, LiveHlsName::Kind::kInit, 1);
  std::string by_part = by_segment;
  for (std::uint64_t msn = 0; msn < 3; ++msn) {
    by_segment += Bytes(*s, LiveHlsName::Kind::kSegment, msn);
    for (std::uint64_t p = 0; s->Available(msn, static_cast<std::int64_t>(p)) && s->Resource({LiveHlsName::Kind::kPart, msn, p}).ok(); ++p) {
      by_part += Bytes(*s, LiveHlsName::Kind::kPart, msn, p);
    }
  }
  EXPECT_EQ(by_part, by_segment) << "a segment is its parts concatenated";
  pw::test::WriteFile(dir / "live.mp4", by_segment);
  EXPECT_EQ(CountFrames(dir / "live.mp4"), fed);
  EXPECT_EQ(fed, 150);
}

TEST(LiveHlsStream, ReadsPictureSizeAndParameterSetsFromTheKeyframeWhenTheSourceLacksThem) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "a.ts", "320x240", 3), /*like_rtsp=*/true);
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  feed.Open(*s);
  const int fed = feed.Feed(*s);
  s->OnClose("end of file");
  ASSERT_TRUE(s->Ready().ok()) << s->Ready().message();
  std::string file = Bytes(*s, LiveHlsName::Kind::kInit, 1);
  for (std::uint64_t msn = 0; msn < s->next_msn(); ++msn) file += Bytes(*s, LiveHlsName::Kind::kSegment, msn);
  pw::test::WriteFile(dir / "live.mp4", file);
  EXPECT_EQ(CountFrames(dir / "live.mp4"), fed);
  auto size = pw::test::RunCommand({"ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                                    (dir / "live.mp4").string()});
  EXPECT_EQ(size.out, "320,240\n");
}

TEST(LiveHlsStream, BlockingReloadWakesWhenThePartAppearsOrTheDeadlinePasses) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "a.ts", "320x240", 4));
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  feed.Open(*s);
  feed.Feed(*s, 25 * 2 + 5);  // segment 0 complete, segment 1 has no part yet
  std::atomic<int> woke{0};
  s->WhenAvailable(1, 1, Clock::now() + 60s, [&] { ++woke; });
  s->WhenAvailable(9, 0, Clock::now() + 20ms, [&] { woke += 100; });
  feed.Feed(*s, 10);  // part 1.0 complete: not yet 1.1
  EXPECT_EQ(woke, 0);
  feed.Feed(*s, 10);
  EXPECT_EQ(woke, 1) << "part 1.1 appeared";
  s->ExpireWaiters(Clock::now() + 1s);
  EXPECT_EQ(woke, 101) << "the far-ahead request answered at its deadline";
  bool at_once = false;
  s->WhenAvailable(0, -1, Clock::now() + 60s, [&] { at_once = true; });
  EXPECT_TRUE(at_once);
}

TEST(LiveHlsStream, ReconnectMarksDiscontinuityAndANewInitOnlyWhenTheCodecChanged) {
  pw::test::TempDir dir;
  auto clip = MakeClip(dir, "a.ts", "320x240", 3);
  auto other = MakeClip(dir, "b.ts", "640x480", 3);
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  for (const auto& c : {clip, clip, other}) {
    Feeder f(c);
    f.Open(*s);
    f.Feed(*s);
    s->OnClose("camera lost");
  }
  auto pl = s->Playlist("live/");
  ASSERT_TRUE(pl.ok());
  EXPECT_EQ(Count(*pl, "#EXT-X-DISCONTINUITY\n"), 2u) << *pl;
  EXPECT_NE(pl->find("#EXT-X-MAP:URI=\"live/init-1.mp4\""), std::string::npos) << *pl;
  EXPECT_NE(pl->find("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"live/init-2.mp4\""), std::string::npos) << *pl;
  EXPECT_EQ(Count(*pl, "#EXT-X-MAP:"), 2u) << "the same camera again keeps init-1:\n" << *pl;
  // The timeline goes on across reconnects: the whole window decodes as one file per init.
  std::string file = Bytes(*s, LiveHlsName::Kind::kInit, 1);
  for (std::uint64_t msn = 0; msn < 4; ++msn) file += Bytes(*s, LiveHlsName::Kind::kSegment, msn);
  pw::test::WriteFile(dir / "first.mp4", file);
  EXPECT_EQ(CountFrames(dir / "first.mp4"), 150);
}

TEST(LiveHlsStream, KeepsOnlyTheNewestSegmentsAndCountsDroppedDiscontinuities) {
  pw::test::TempDir dir;
  auto clip = MakeClip(dir, "a.ts", "320x240", 4);
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing(3));
  for (int i = 0; i < 4; ++i) {
    Feeder f(clip);
    f.Open(*s);
    f.Feed(*s);
    s->OnClose("camera lost");
  }
  ASSERT_EQ(s->next_msn(), 8u);
  auto pl = s->Playlist("live/");
  ASSERT_TRUE(pl.ok());
  EXPECT_NE(pl->find("#EXT-X-MEDIA-SEQUENCE:5\n"), std::string::npos) << *pl;
  EXPECT_EQ(Count(*pl, "#EXTINF:"), 3u) << *pl;
  EXPECT_NE(pl->find("#EXT-X-DISCONTINUITY-SEQUENCE:2\n"), std::string::npos) << *pl;
  EXPECT_EQ(s->Resource({LiveHlsName::Kind::kSegment, 4, 0}).status().code(), core::Code::kNotFound);
  EXPECT_TRUE(s->Resource({LiveHlsName::Kind::kSegment, 5, 0}).ok());
}

TEST(LiveHlsStream, RejectsH265WithAReasonAndWakesWaiters) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "h.ts", "320x240", 1, "libx265"));
  auto s = std::make_shared<LiveHlsStream>("cam1", SmallRing());
  bool woke = false;
  s->WhenAvailable(0, -1, Clock::now() + 60s, [&] { woke = true; });
  feed.Open(*s);
  feed.Feed(*s);
  EXPECT_TRUE(woke);
  auto st = s->Ready();
  EXPECT_EQ(st.code(), core::Code::kUnprocessable);
  EXPECT_NE(st.message().find("hevc"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("H.264"), std::string::npos) << st.message();
}

TEST(LiveHlsName, ParsesTheThreeNamesAndNothingElse) {
  auto p = ParseLiveHlsName("part-12.3.m4s");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, LiveHlsName::Kind::kPart);
  EXPECT_EQ(p->msn, 12u);
  EXPECT_EQ(p->part, 3u);
  EXPECT_EQ(ParseLiveHlsName("seg-7.m4s")->msn, 7u);
  EXPECT_EQ(ParseLiveHlsName("init-2.mp4")->kind, LiveHlsName::Kind::kInit);
  for (const char* bad : {"seg-.m4s", "seg-1.mp4", "part-1.m4s", "part-1.x.m4s", "../etc", "init-1.mp4x"}) {
    EXPECT_FALSE(ParseLiveHlsName(bad)) << bad;
  }
}

// A LiveHlsSource whose camera "cam1" is a file fed by the test thread.
class FileSource final : public LiveHlsSource {
 public:
  core::Status Subscribe(const std::string& id, std::shared_ptr<PacketSubscriber> s) override {
    if (id != "cam1") return core::Status::NotFound("no camera " + id);
    std::lock_guard lock(mu);
    subscriber = std::move(s);
    return core::Status::Ok();
  }
  void Unsubscribe(const std::string&, const PacketSubscriber* s) override {
    std::lock_guard lock(mu);
    if (subscriber.get() == s) subscriber.reset();
  }
  std::shared_ptr<PacketSubscriber> Get() {
    std::lock_guard lock(mu);
    return subscriber;
  }
  std::mutex mu;
  std::shared_ptr<PacketSubscriber> subscriber;
};

struct Answer {
  std::mutex mu;
  std::optional<core::Result<LiveHlsReply>> reply;
  LiveHlsDone Callback() {
    return [this](core::Result<LiveHlsReply> r) {
      std::lock_guard lock(mu);
      reply = std::move(r);
    };
  }
  bool Done() {
    std::lock_guard lock(mu);
    return reply.has_value();
  }
};

TEST(LiveHls, OneStreamPerCameraAnswersAsynchronouslyAndStopsWhenIdle) {
  pw::test::TempDir dir;
  Feeder feed(MakeClip(dir, "a.ts", "320x240", 5));
  FileSource source;
  LiveHlsOptions o;
  o.stream = SmallRing();
  o.idle_stop = 400ms;
  o.first_segment_wait = 300ms;
  o.block_limit = 300ms;
  o.tick = 10ms;
  LiveHls hls(o, source);

  Answer unknown;
  hls.Playlist("nope", {}, {}, unknown.Callback());
  ASSERT_TRUE(unknown.Done());
  EXPECT_EQ(unknown.reply->status().code(), core::Code::kNotFound);

  Answer early;  // no packet yet: waits, then 503
  hls.Playlist("cam1", {}, {}, early.Callback());
  EXPECT_FALSE(early.Done());
  ASSERT_TRUE(WaitFor([&] { return early.Done(); }, 5s));
  EXPECT_EQ(early.reply->status().code(), core::Code::kUnavailable);

  auto sub = source.Get();
  ASSERT_TRUE(sub);
  feed.Open(*sub);
  feed.Feed(*sub, 55);  // segment 0 complete
  Answer second;        // a second viewer shares the same stream
  hls.Playlist("cam1", {}, {}, second.Callback());
  ASSERT_TRUE(second.Done());
  ASSERT_TRUE(second.reply->ok()) << second.reply->status().message();
  EXPECT_EQ(hls.stream_count(), 1u);
  EXPECT_EQ(source.Get(), sub);

  Answer blocked;  // _HLS_msn=1&_HLS_part=1 waits for that part
  hls.Playlist("cam1", 1, 1, blocked.Callback());
  Answer hinted;   // the preload-hinted part too
  hls.Resource("cam1", "part-1.1.m4s", hinted.Callback());
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(blocked.Done());
  EXPECT_FALSE(hinted.Done());
  feed.Feed(*sub, 20);
  ASSERT_TRUE(blocked.Done());
  ASSERT_TRUE(blocked.reply->ok());
  EXPECT_NE((*blocked.reply)->body->find("part-1.1.m4s"), std::string::npos);
  ASSERT_TRUE(hinted.Done());
  ASSERT_TRUE(hinted.reply->ok());
  EXPECT_EQ((*hinted.reply)->kind, LiveHlsReply::Kind::kMedia);

  Answer ahead;
  hls.Playlist("cam1", 9, {}, ahead.Callback());
  ASSERT_TRUE(ahead.Done());
  EXPECT_EQ(ahead.reply->status().code(), core::Code::kInvalidArgument);

  // No playlist request for idle_stop: the stream ends and unsubscribes.
  EXPECT_TRUE(WaitFor([&] { return hls.stream_count() == 0 && !source.Get(); }, 5s));
}

}  // namespace
}  // namespace pw::live
