// WebRTC from real RTSP cameras (tools/rtsp-test-server) through `serve`'s own path —
// live::CameraManager → Camera::AddBrowserVideoSubscriber → CameraManagerSource → WhepServer — to an
// in-process viewer that decodes what it receives: a camera with B-frames and an H.265 camera play
// (one transcode per camera, whatever the number of viewers, stopped when the last one leaves), and
// a camera without B-frames is still forwarded without re-encoding.
#include <gtest/gtest.h>

#include "live/camera_manager.h"
#include "live/transcoder.h"
#include "rtsp_camera.h"
#include "support/test_support.h"
#include "webrtc/camera_manager_source.h"
#include "webrtc/test_viewer.h"
#include "webrtc/whep_server.h"

namespace pw::webrtc {
namespace {

using namespace std::chrono_literals;
using test::TestViewer;
using test::WaitUntil;

class BrowserVideoTest : public ::testing::Test {
 protected:
  // Starts a camera with `options`, a CameraManager streaming it as cam1, and a WhepServer on it.
  void StartRig(live::test::RtspCameraOptions options) {
    camera_ = std::make_unique<live::test::RtspCamera>(options);
    camera_->Start();
    live::CameraManagerOptions o;
    o.cameras_file = dir_ / "cameras.json";
    o.cam_url = camera_->url();
    o.auto_start = true;
    cameras_ = std::make_unique<live::CameraManager>(o, nullptr, live::Publisher{});
    ASSERT_TRUE(cameras_->Load().ok());
    auto cam = cameras_->Find("cam1");
    ASSERT_TRUE(cam.ok());
    cam1_ = *cam;
    ASSERT_TRUE(WaitUntil([&] { return cam1_->ingest_stats().frames > 0; }, 10s)) << cam1_->ingest_stats().last_error;
    source_ = std::make_unique<CameraManagerSource>(*cameras_);
    WhepOptions w;
    w.ice_addresses = {"127.0.0.1"};
    server_ = std::make_unique<WhepServer>(w, *source_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_.reset();
    cameras_.reset();
  }
  // Connects `viewer` to cam1; the WHEP answer's session id.
  std::string Connect(TestViewer& viewer) {
    auto answer = server_->Create("cam1", viewer.Offer());
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    if (!answer.ok()) return {};
    EXPECT_TRUE(viewer.Accept(answer->sdp));
    return answer->session_id;
  }
  std::string VideoPath() { return cam1_->BrowserVideoJson()["video_path"]; }

  pw::test::TempDir dir_;
  std::unique_ptr<live::test::RtspCamera> camera_;
  std::unique_ptr<live::CameraManager> cameras_;
  std::shared_ptr<live::Camera> cam1_;
  std::unique_ptr<CameraManagerSource> source_;
  std::unique_ptr<WhepServer> server_;
};

TEST_F(BrowserVideoTest, BFrameCameraPlaysThroughOneTranscodeSharedByItsViewers) {
  StartRig({.bframes = 2});
  TestViewer a(/*data_channel=*/false, /*decode=*/true), b(false, true);
  const std::string sa = Connect(a), sb = Connect(b);
  ASSERT_FALSE(sa.empty());
  ASSERT_FALSE(sb.empty());
  EXPECT_TRUE(WaitUntil([&] { return a.frames() >= 25 && b.frames() >= 25; }, 10s))
      << "decoded pictures: " << a.frames() << ", " << b.frames();
  EXPECT_EQ(a.out_of_order(), 0) << "B-frames reached the viewer";
  EXPECT_EQ(b.out_of_order(), 0);
  EXPECT_EQ(VideoPath(), "transcode");
  EXPECT_EQ(live::Transcoder::live_count(), 1) << "one transcode per camera, not per viewer";
  auto json = cameras_->List()["cameras"][0]["browser_video"];
  EXPECT_EQ(json["subscribers"], 1) << "WhepServer's one forwarder per camera serves both viewers";
  EXPECT_GT(json["transcode"]["frames_encoded"].get<int>(), 25);

  ASSERT_TRUE(server_->Delete("cam1", sa).ok());
  EXPECT_EQ(live::Transcoder::live_count(), 1) << "a viewer remains";
  ASSERT_TRUE(server_->Delete("cam1", sb).ok());
  EXPECT_EQ(live::Transcoder::live_count(), 0) << "the last viewer left: the transcode stops";
  EXPECT_EQ(VideoPath(), "idle");
}

TEST_F(BrowserVideoTest, H265CameraPlaysInsteadOfBeingRefused) {
  StartRig({.codec = "h265"});
  EXPECT_EQ(cam1_->ingest_stats().codec, "hevc");
  TestViewer viewer(false, true);
  const std::string id = Connect(viewer);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(WaitUntil([&] { return viewer.frames() >= 25; }, 10s)) << "decoded pictures: " << viewer.frames();
  EXPECT_EQ(viewer.out_of_order(), 0);
  EXPECT_EQ(VideoPath(), "transcode");
  EXPECT_EQ(cam1_->BrowserVideoJson()["transcode"]["source_codec"], "hevc");
}

TEST_F(BrowserVideoTest, CameraWithoutBFramesIsForwardedWithoutReencoding) {
  StartRig({});
  TestViewer viewer(false, true);
  ASSERT_FALSE(Connect(viewer).empty());
  EXPECT_TRUE(WaitUntil([&] { return viewer.frames() >= 25; }, 10s)) << "decoded pictures: " << viewer.frames();
  EXPECT_EQ(VideoPath(), "forward");
  EXPECT_EQ(live::Transcoder::live_count(), 0);
  EXPECT_EQ(cam1_->BrowserVideoJson()["transcode"], nullptr);
}

}  // namespace
}  // namespace pw::webrtc
