// CameraManager with real parts: the cameras file, CAM_URL's read-only cam1, snapshots before and
// after a first frame from a real RTSP camera, and live counting through the real inference engine
// (a tiny YOLO-shaped model) publishing count messages with the frame's timestamps.
#include <gtest/gtest.h>

#include "infer/test_models.h"
#include "live/camera_file.h"
#include "live/camera_manager.h"
#include "rtsp_camera.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;
using test::RtspCamera;
using test::WaitFor;

// Collects published messages.
struct Inbox {
  std::mutex mu;
  std::vector<std::pair<std::string, nlohmann::json>> messages;
  Publisher publisher() {
    return [this](const std::string& topic, const nlohmann::json& m) {
      std::lock_guard lock(mu);
      messages.emplace_back(topic, m);
    };
  }
  std::optional<nlohmann::json> Last(const std::string& type) {
    std::lock_guard lock(mu);
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if (it->second.value("type", "") == type) return it->second;
    }
    return std::nullopt;
  }
};

CameraManagerOptions Options(const pw::test::TempDir& dir) {
  CameraManagerOptions o;
  o.cameras_file = dir / "cameras.json";
  o.defaults.ingest.backoff_min = 100ms;
  o.defaults.ingest.backoff_max = 500ms;
  return o;
}

std::string DeadUrl() { return "rtsp://127.0.0.1:" + std::to_string(test::UnusedPort()) + "/cam"; }

TEST(CameraManager, ApiCamerasArePersistedAndSurviveARestart) {
  pw::test::TempDir dir;
  const std::string url = DeadUrl();
  {
    CameraManager m(Options(dir), nullptr, {});
    ASSERT_TRUE(m.Load().ok());
    auto added = m.Add({{"name", "Pen 3"}, {"url", "rtsp://op:pw@" + url.substr(7)}, {"enabled", false}});
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    EXPECT_EQ((*added)["id"], "cam1");
    EXPECT_EQ((*added)["url"].get<std::string>().find("pw@"), std::string::npos);
    auto second = m.Add({{"id", "gate"}, {"url", url}, {"enabled", false}});
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(m.Add({{"id", "gate"}, {"url", url}}).status().code(), core::Code::kConflict);
    ASSERT_TRUE(m.Update("gate", {{"name", "Gate"}}).ok());
    ASSERT_TRUE(m.Remove("cam1").ok());
    EXPECT_EQ(m.Remove("cam1").code(), core::Code::kNotFound);
  }
  CameraManager again(Options(dir), nullptr, {});
  ASSERT_TRUE(again.Load().ok());
  auto list = again.List()["cameras"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], "gate");
  EXPECT_EQ(list[0]["name"], "Gate");
  EXPECT_EQ(list[0]["running"], false);
}

TEST(CameraManager, CamUrlDefinesReadOnlyCam1AndAutoStartsIt) {
  pw::test::TempDir dir;
  CameraManagerOptions o = Options(dir);
  o.cam_url = "rtsp://admin:secret@" + DeadUrl().substr(7);
  o.auto_start = true;
  CameraManager m(o, nullptr, {});
  ASSERT_TRUE(m.Load().ok());
  auto cam = m.FindOrFirst("");
  ASSERT_TRUE(cam.ok());
  EXPECT_EQ((*cam)->spec().id, "cam1");
  EXPECT_TRUE((*cam)->running());
  EXPECT_EQ(m.List().dump().find("secret"), std::string::npos);
  EXPECT_EQ(m.Update("cam1", {{"name", "x"}}).status().code(), core::Code::kConflict);
  EXPECT_EQ(m.Remove("cam1").code(), core::Code::kConflict);
  // Down at start: the snapshot says why, instead of waiting.
  auto snap = (*cam)->TakeSnapshot(false);
  EXPECT_EQ(snap.status().code(), core::Code::kUnavailable);
  EXPECT_NE(snap.status().message().find("no picture yet"), std::string::npos);
  EXPECT_TRUE(WaitFor([&] { return (*cam)->ingest_stats().reconnects >= 1; }, 5s));
}

TEST(CameraManager, SnapshotIsTheLatestFrameAsJpegSharedPerFrame) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp;
  rtsp.Start();
  pw::test::TempDir dir;
  Inbox inbox;
  CameraManager m(Options(dir), nullptr, inbox.publisher());
  ASSERT_TRUE(m.Load().ok());
  ASSERT_TRUE(m.Add({{"id", "pen"}, {"url", rtsp.url()}}).ok());
  auto cam = *m.Find("pen");
  ASSERT_TRUE(WaitFor([&] { return cam->TakeSnapshot(false).ok(); }, 10s)) << cam->ingest_stats().last_error;
  auto a = cam->TakeSnapshot(false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->jpeg->substr(0, 2), "\xFF\xD8");
  auto b = cam->TakeSnapshot(false);
  if (b->frame == a->frame) {
    EXPECT_EQ(b->jpeg.get(), a->jpeg.get());  // same frame: same bytes, no re-encode
  }
  auto state = inbox.Last("camera_state");
  ASSERT_TRUE(state);
  EXPECT_EQ((*state)["camera"], "pen");
  EXPECT_EQ((*state)["ingest"]["state"], "streaming");
  EXPECT_TRUE(m.Stop("pen").ok());
  EXPECT_EQ(cam->ingest_stats().state, IngestState::kStopped);
}

TEST(CameraManager, LiveCountingPublishesCountsWithFrameTimestamps) {
  if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  pw::test::TempDir dir;
  infer::test::SaveModel(infer::test::MakeTinyDetectModel(64), dir / "tiny.onnx");
  infer::EngineOptions eo;
  eo.model_path = dir / "tiny.onnx";
  eo.cache_dir = dir / "models";
  eo.workers = 1;
  eo.postprocess.conf_threshold = 0.01f;
  infer::Engine engine(eo);
  engine.Preload();
  ASSERT_EQ(engine.WaitUntilSettled(30s), infer::EngineState::kReady);
  RtspCamera rtsp({.pattern = "gray"});  // a uniform grey frame: the tiny model sees one object
  rtsp.Start();
  Inbox inbox;
  CameraManagerOptions o = Options(dir);
  o.defaults.count.fps = 10;
  o.defaults.count.counting.count_score = 0.3f;
  CameraManager m(o, &engine, inbox.publisher());
  ASSERT_TRUE(m.Load().ok());
  ASSERT_TRUE(m.Add({{"id", "pen"}, {"url", rtsp.url()}}).ok());
  ASSERT_TRUE(WaitFor([&] { return inbox.Last("count").has_value(); }, 15s));
  auto count = *inbox.Last("count");
  EXPECT_EQ(count["camera"], "pen");
  EXPECT_GT(count["wall_ms"].get<int64_t>(), 0);
  EXPECT_TRUE(count.contains("pts"));
  EXPECT_TRUE(count["state"].contains("count"));
  ASSERT_EQ(count["instances"].size(), 1u);
  EXPECT_TRUE(count["instances"][0].contains("track_id"));
  {
    std::lock_guard lock(inbox.mu);
    for (auto& [topic, msg] : inbox.messages) EXPECT_EQ(topic, "camera:pen");
  }
  auto cam = *m.Find("pen");
  ASSERT_TRUE(WaitFor([&] { return cam->latest_count() != nullptr; }, 5s));
  auto overlay = cam->TakeSnapshot(true);
  ASSERT_TRUE(overlay.ok());
  EXPECT_TRUE(overlay->overlay);
  EXPECT_EQ(overlay->frame, cam->latest_count()->frame);  // drawn on the frame that was counted
  // Never more than one request in flight: completed + failed trails submitted by at most one.
  auto j = cam->ToJson()["counting"];
  EXPECT_LE(j["submitted"].get<int>() - j["completed"].get<int>() - j["failed"].get<int>(), 1);
  m.StopAll();
}

}  // namespace
}  // namespace pw::live
