// The real `pigweight serve` with CAM_URL pointing at a real RTSP camera: snapshot (503 until the
// first frame, then JPEG), the MJPEG stream over HTTP, masked credentials, per-camera metrics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rtsp_camera.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;
using test::RtspCamera;
using test::WaitFor;

TEST(LiveServer, ServesSnapshotMjpegAndMetricsForTheConfiguredCamera) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp;
  rtsp.Start();
  const std::string url = "rtsp://viewer:hidden@" + rtsp.url().substr(7);
  pw::test::ServerProcess::Options options;
  options.env = {{"CAM_URL", url}, {"AUTO_START_CAM", "1"}, {"MJPEG_FPS", "10"}};
  pw::test::ServerProcess server(options);
  ASSERT_TRUE(WaitFor([&] { return pw::test::Fetch(server.Url("/api/snapshot")).status == 200; }, 15s)) << server.Log();
  auto snap = pw::test::Fetch(server.Url("/api/cameras/cam1/snapshot"));
  EXPECT_EQ(snap.Header("content-type"), "image/jpeg");
  EXPECT_EQ(snap.body.substr(0, 2), "\xFF\xD8");
  EXPECT_EQ(pw::test::Fetch(server.Url("/api/cameras/none/snapshot")).status, 404);

  // ~1.5 s of MJPEG: several parts, each a JPEG.
  auto mjpeg = pw::test::Curl({"--max-time", "1.5", server.Url("/api/video_feed")});
  std::size_t parts = 0;
  for (auto pos = mjpeg.out.find("--pwframe"); pos != std::string::npos; pos = mjpeg.out.find("--pwframe", pos + 1)) ++parts;
  EXPECT_GE(parts, 3u) << mjpeg.err;
  // The viewer that left is noticed and released.
  auto viewers = [&] {
    auto j = nlohmann::json::parse(pw::test::Fetch(server.Url("/api/cameras/cam1")).body, nullptr, false);
    return j.is_object() ? j.value("mjpeg_viewers", -1) : -1;
  };
  EXPECT_TRUE(WaitFor([&] { return viewers() == 0; }, 5s)) << viewers();

  auto cams = pw::test::Fetch(server.Url("/api/cameras"));
  EXPECT_EQ(cams.status, 200);
  EXPECT_EQ(cams.body.find("hidden"), std::string::npos);
  EXPECT_NE(cams.body.find("viewer:***@"), std::string::npos);
  auto metrics = pw::test::Fetch(server.Url("/metrics"));
  EXPECT_NE(metrics.body.find("pigweight_camera_up{camera=\"cam1\"} 1"), std::string::npos);
  // A viewer still watching does not hold up a graceful shutdown; its stream ends.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string get = "GET /api/cameras/cam1/mjpeg HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::write(fd, get.data(), get.size()), static_cast<ssize_t>(get.size()));
  char buf[4096];
  ASSERT_GT(::read(fd, buf, sizeof buf), 0);
  ASSERT_TRUE(WaitFor([&] { return viewers() == 1; }, 5s));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  ::close(fd);
}

}  // namespace
}  // namespace pw::live
