// The real `pigweight serve` with a real RTSP camera (tools/rtsp-test-server): live LL-HLS over
// HTTP — ffmpeg plays the playlist and decodes frames, blocking playlist reloads wait for the
// part and answer when it appears, statuses and headers, and a camera that comes back adds a
// discontinuity.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "rtsp_camera.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;
using test::RtspCamera;
using test::WaitFor;
using Clock = std::chrono::steady_clock;

pw::test::ServerProcess::Options WithCamera(const RtspCamera& rtsp) {
  pw::test::ServerProcess::Options o;
  o.env = {{"CAM_URL", rtsp.url()}, {"AUTO_START_CAM", "1"}, {"AUTH", "0"}, {"PRELOAD_MODEL", "0"}};
  return o;
}

// Plays 3 s of the camera's live playlist with the ffmpeg CLI (decoding every frame); returns the
// number of frames, after checking that ffmpeg saw neither corrupt frames nor bad timestamps.
int FfmpegDecodedFrames(const pw::test::ServerProcess& server) {
  auto r = pw::test::RunCommand({"ffmpeg", "-nostdin", "-v", "info", "-i", server.Url("/api/cameras/cam1/live.m3u8"),
                                 "-t", "3", "-f", "null", "-"},
                                {}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("corrupt"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("non monotonically increasing dts"), std::string::npos) << r.err;
  std::smatch m;
  int frames = 0;
  for (auto it = r.err.cbegin(); std::regex_search(it, r.err.cend(), m, std::regex(R"(frame=\s*(\d+))")); it = m[0].second) {
    frames = std::stoi(m[1]);
  }
  return frames;
}

// Fetches the playlist until the camera's first segment is there (503 before).
pw::test::CurlResponse FirstPlaylist(const pw::test::ServerProcess& server) {
  pw::test::CurlResponse r;
  WaitFor([&] {
    r = pw::test::Fetch(server.Url("/api/cameras/cam1/live.m3u8"));
    return r.status == 200;
  }, 20s);
  return r;
}

TEST(LiveHlsServer, FfmpegPlaysTheLivePlaylistAndDecodesFrames) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp;
  rtsp.Start();
  pw::test::ServerProcess server(WithCamera(rtsp));
  auto pl = FirstPlaylist(server);
  ASSERT_EQ(pl.status, 200) << pl.body << server.Log();
  EXPECT_EQ(pl.Header("content-type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(pl.Header("cache-control"), "no-cache");
  EXPECT_NE(pl.body.find("#EXT-X-PART:"), std::string::npos) << pl.body;
  auto init = pw::test::Fetch(server.Url("/api/cameras/cam1/live/init-1.mp4"));
  EXPECT_EQ(init.status, 200);
  EXPECT_EQ(init.Header("content-type"), "video/mp4");
  EXPECT_EQ(init.body.substr(4, 4), "ftyp");
  auto seg = pw::test::Fetch(server.Url("/api/cameras/cam1/live/seg-0.m4s"));
  EXPECT_EQ(seg.status, 200);
  EXPECT_EQ(seg.Header("cache-control"), "max-age=6");
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/none/live.m3u8")).status, 404);
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/cam1/live/seg-999.m4s")).status, 404);
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/cam1/live/x.bin")).status, 404);
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/cam1/live.m3u8?_HLS_part=1")).status, 400);
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/cam1/live.m3u8?_HLS_msn=99999")).status, 400);

  EXPECT_GE(FfmpegDecodedFrames(server), 60) << "3 s at 25 fps";
  // One muxer for the camera, whatever the number of viewers.
  auto state = nlohmann::json::parse(pw::test::Fetch(server.Url("/api/live/hls")).body, nullptr, false);
  ASSERT_TRUE(state.is_object());
  EXPECT_EQ(state["streams"].size(), 1u) << state.dump();
}

TEST(LiveHlsServer, BlockingReloadAnswersWhenTheHintedPartAppearsAndReconnectAddsADiscontinuity) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp;
  rtsp.Start();
  pw::test::ServerProcess server(WithCamera(rtsp));
  auto pl = FirstPlaylist(server);
  ASSERT_EQ(pl.status, 200) << server.Log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(pl.body, m, std::regex(R"(PRELOAD-HINT:TYPE=PART,URI="live/part-(\d+)\.(\d+)\.m4s")"))) << pl.body;
  const std::string msn = m[1], part = m[2];
  const auto t0 = Clock::now();
  auto held = pw::test::Fetch(server.Url("/api/cameras/cam1/live.m3u8?_HLS_msn=" + msn + "&_HLS_part=" + part));
  const auto waited = Clock::now() - t0;
  ASSERT_EQ(held.status, 200);
  const std::string hinted = "part-" + msn + "." + part + ".m4s";
  EXPECT_NE(held.body.find("#EXT-X-PART:DURATION="), std::string::npos);
  EXPECT_TRUE(held.body.find("URI=\"live/" + hinted + "\"") != std::string::npos &&
              held.body.find("PRELOAD-HINT:TYPE=PART,URI=\"live/" + hinted) == std::string::npos)
      << "the awaited part is listed, no longer hinted:\n" << held.body;
  EXPECT_LT(waited, 2s) << "a part is ~0.4 s";
  auto part_bytes = pw::test::Fetch(server.Url("/api/cameras/cam1/live/" + hinted));
  EXPECT_EQ(part_bytes.status, 200);
  EXPECT_EQ(part_bytes.Header("content-type"), "video/iso.segment");
  EXPECT_EQ(part_bytes.body.substr(4, 4), "moof");

  rtsp.Restart();
  bool discontinuity = false;
  WaitFor([&] {
    discontinuity = pw::test::Fetch(server.Url("/api/cameras/cam1/live.m3u8")).body.find("#EXT-X-DISCONTINUITY\n") !=
                    std::string::npos;
    return discontinuity;
  }, 30s);
  EXPECT_TRUE(discontinuity) << server.Log();
}

TEST(LiveHlsServer, CameraWithBFramesPlaysWithRebuiltDecodeTimes) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp({.bframes = 3});
  rtsp.Start();
  pw::test::ServerProcess server(WithCamera(rtsp));
  ASSERT_EQ(FirstPlaylist(server).status, 200) << server.Log();
  EXPECT_GE(FfmpegDecodedFrames(server), 60) << "3 s at 25 fps";
}

}  // namespace
}  // namespace pw::live
