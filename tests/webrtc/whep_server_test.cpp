// WhepServer against an in-process viewer (a second webrtcbin) on loopback, fed from a file camera.
#include <dirent.h>
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "webrtc/file_camera.h"
#include "webrtc/test_viewer.h"
#include "webrtc/whep_server.h"

namespace pw::webrtc {
namespace {

using namespace std::chrono_literals;
using test::TestViewer;
using test::WaitUntil;

int OpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

class WhepServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    camera_ = std::make_unique<test::FileCamera>(test::MakeH264File(dir_.path(), 4), "cam1");
  }
  WhepOptions Options() {
    WhepOptions o;
    o.ice_addresses = {"127.0.0.1"};
    o.max_sessions = 2;
    o.heartbeat_timeout = 1500ms;
    o.poll_interval = 100ms;
    return o;
  }
  // Offers from `viewer`, answers through `server`, applies the answer.
  core::Result<WhepAnswer> Connect(WhepServer& server, TestViewer& viewer) {
    const std::string offer = viewer.Offer();
    EXPECT_FALSE(offer.empty());
    auto answer = server.Create("cam1", offer);
    if (answer.ok()) {
      EXPECT_TRUE(viewer.Accept(answer->sdp));
    }
    return answer;
  }

  test::TempDir dir_;
  std::unique_ptr<test::FileCamera> camera_;
};

TEST_F(WhepServerTest, ViewerReceivesFramesAndMetadataWithoutReencoding) {
  WhepServer server(Options(), *camera_);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  auto answer = Connect(server, viewer);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_NE(answer->sdp.find("a=candidate"), std::string::npos) << answer->sdp;
  EXPECT_NE(answer->sdp.find("H264"), std::string::npos);
  EXPECT_TRUE(WaitUntil([&] { return viewer.frames() >= 10; }, 6s)) << "frames: " << viewer.frames();
  EXPECT_EQ(viewer.first_was_keyframe(), 1) << "a new viewer must start at a keyframe";
  ASSERT_TRUE(WaitUntil([&] { return viewer.channel_open(); }, 3s));
  ASSERT_TRUE(WaitUntil([&] { return !viewer.messages().empty(); }, 3s)) << "no greeting on the data channel";
  EXPECT_EQ(viewer.messages().front(),
            R"({"type":"whep","session":")" + answer->session_id + R"(","camera":"cam1"})");
  ASSERT_TRUE(WaitUntil([&] {
    server.SendMetadata("cam1", R"({"count":7})");
    return viewer.messages().size() >= 2;
  }, 3s));
  EXPECT_EQ(viewer.messages()[1], R"({"count":7})");
  EXPECT_EQ(server.session_count(), 1u);
  EXPECT_EQ(camera_->subscribers(), 1u);
}

TEST_F(WhepServerTest, DeleteFreesTheSessionAndUnsubscribesTheCamera) {
  WhepServer server(Options(), *camera_);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  auto answer = Connect(server, viewer);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(server.Delete("cam2", answer->session_id).code(), core::Code::kNotFound);
  EXPECT_TRUE(server.Delete("cam1", answer->session_id).ok());
  EXPECT_EQ(server.session_count(), 0u);
  EXPECT_EQ(camera_->subscribers(), 0u);
  EXPECT_EQ(server.Delete("cam1", answer->session_id).code(), core::Code::kNotFound);
}

TEST_F(WhepServerTest, ViewerThatStopsPingingIsFreedWithinSeconds) {
  WhepServer server(Options(), *camera_);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  ASSERT_TRUE(Connect(server, viewer).ok());
  ASSERT_TRUE(WaitUntil([&] { return viewer.channel_open(); }, 3s));
  ASSERT_TRUE(viewer.Send("ping"));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.session_count(), 1u);
  // The viewer vanishes without a word (as a killed browser does): no more pings.
  EXPECT_TRUE(WaitUntil([&] { return server.session_count() == 0; }, 4s));
}

TEST(WhepServerReconnect, ViewerKeepsReceivingAfterTheCameraReconnects) {
  test::TempDir dir;
  test::FileCamera camera(test::MakeH264File(dir.path(), 2), "cam1", /*reconnect_each_loop=*/true);
  WhepOptions o;
  o.ice_addresses = {"127.0.0.1"};
  WhepServer server(o, camera);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  auto answer = server.Create("cam1", viewer.Offer());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_TRUE(viewer.Accept(answer->sdp));
  const int reconnects = camera.connections();
  ASSERT_TRUE(WaitUntil([&] { return camera.connections() > reconnects; }, 4s));
  const int before = viewer.frames();
  // Timestamps restarted at zero: frames go on from the next keyframe.
  EXPECT_TRUE(WaitUntil([&] { return viewer.frames() >= before + 10; }, 4s))
      << "frames stuck at " << viewer.frames() << " after the reconnect";
}

TEST_F(WhepServerTest, SessionCapIsEnforced) {
  WhepServer server(Options(), *camera_);  // max 2
  ASSERT_TRUE(server.Start().ok());
  TestViewer a, b, c;
  ASSERT_TRUE(Connect(server, a).ok());
  ASSERT_TRUE(Connect(server, b).ok());
  auto third = server.Create("cam1", c.Offer());
  EXPECT_EQ(third.status().code(), core::Code::kBusy);
  EXPECT_NE(third.status().message().find("WEBRTC_MAX_SESSIONS"), std::string::npos);
  EXPECT_EQ(server.session_count(), 2u);
}

TEST_F(WhepServerTest, TenOpenCloseCyclesLeakNothing) {
  WhepServer server(Options(), *camera_);
  ASSERT_TRUE(server.Start().ok());
  {  // one cycle first: GStreamer loads plugins and keeps some process-wide state
    TestViewer viewer;
    auto answer = Connect(server, viewer);
    ASSERT_TRUE(answer.ok());
    ASSERT_TRUE(server.Delete("cam1", answer->session_id).ok());
  }
  const int fds = OpenFds();
  for (int i = 0; i < 10; ++i) {
    TestViewer viewer;
    auto answer = Connect(server, viewer);
    ASSERT_TRUE(answer.ok()) << "cycle " << i << ": " << answer.status().ToString();
    ASSERT_TRUE(server.Delete("cam1", answer->session_id).ok());
  }
  EXPECT_EQ(server.session_count(), 0u);
  EXPECT_EQ(camera_->subscribers(), 0u);
  // Each closed session's ICE agent is released WhepServer::kIceReleaseDelay after it closed.
  EXPECT_TRUE(WaitUntil([&] { return OpenFds() <= fds + 2; }, WhepServer::kIceReleaseDelay + 5s))
      << "file descriptors grew over 10 sessions: " << fds << " -> " << OpenFds();
}

TEST_F(WhepServerTest, RejectsBadOffersAndUnknownCameras) {
  WhepServer server(Options(), *camera_);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Create("cam1", "hello").status().code(), core::Code::kInvalidArgument);
  TestViewer viewer;
  EXPECT_EQ(server.Create("nope", viewer.Offer()).status().code(), core::Code::kNotFound);
  EXPECT_EQ(server.session_count(), 0u);
  EXPECT_EQ(camera_->subscribers(), 0u);
}

// A PacketSource that hands B-frames on is refused (the forwarder's safety net); `serve`'s source
// re-encodes such cameras first (live::BrowserVideo, see browser_video_test.cpp).
TEST(WhepServerBFrames, RefusesCameraWithBFramesWithAReason) {
  test::TempDir dir;
  test::FileCamera camera(test::MakeH264File(dir.path(), 2, /*bframes=*/2), "cam1");
  WhepOptions o;
  o.ice_addresses = {"127.0.0.1"};
  WhepServer server(o, camera);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  auto answer = server.Create("cam1", viewer.Offer());
  EXPECT_EQ(answer.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(answer.status().message().find("B-frames"), std::string::npos) << answer.status().message();
}

TEST(WhepServerNoCamera, AnswersUnavailableWhenTheCameraSendsNothing) {
  class Silent final : public PacketSource {
   public:
    core::Status Subscribe(const std::string&, std::shared_ptr<live::PacketSubscriber>) override { return {}; }
    void Unsubscribe(const std::string&, const live::PacketSubscriber*) override {}
  } silent;
  WhepOptions o;
  o.ice_addresses = {"127.0.0.1"};
  o.ready_timeout = 200ms;
  WhepServer server(o, silent);
  ASSERT_TRUE(server.Start().ok());
  TestViewer viewer;
  auto answer = server.Create("cam1", viewer.Offer());
  EXPECT_EQ(answer.status().code(), core::Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("not streaming"), std::string::npos);
}

}  // namespace
}  // namespace pw::webrtc
