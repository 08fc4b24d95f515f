// A weighing station end to end: a real RTSP camera (gst-rtsp-server playing a generated weighing
// video), a scale indicator (`pigweight scale-sim`), the real server counting live, and weighings
// taken from the camera — typed by the operator, and automatic when weight and count are stable.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string RtspServerBinary() {
  return (fs::path(PW_TEST_BINARY_DIR) / "tools" / "rtsp-test-server" / "pw_rtsp_test_server").string();
}

class Station : public testing::Test {
 protected:
  void SetUp() override {
    // 20 s: eight animals walk in, stand still from about 9 s to 13 s, walk out.
    auto r = RunCommand({PigweightBinary(), "gen-scene", "--seed", "11", "--count", "8", "--width", "320", "--height",
                         "192", "--images", "0", "--video", "20", "--fps", "10", "--gop", "10", "--out",
                         (dir_.path() / "pen").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    camera_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{RtspServerBinary(), "--port", "0", "--file", (dir_.path() / "pen" / "video.mp4").string()});
    camera_url_ = "rtsp://127.0.0.1:" + camera_->WaitForOutput(R"(PORT (\d+))") + "/cam";
    scale_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        PigweightBinary(), "scale-sim", "--port", "0", "--target-kg", "250", "--empty-s", "0", "--ramp-s", "0",
        "--unsettled-s", "0", "--hold-s", "600", "--rate", "10"});
    scale_url_ = scale_->WaitForOutput(R"re("url":"(tcp://127\.0\.0\.1:\d+)")re");
  }
  json Weighings(const ServerProcess& s) { return json::parse(Fetch(s.Url("/api/weighings")).body); }

  TempDir dir_;
  std::unique_ptr<BackgroundProcess> camera_, scale_;
  std::string camera_url_, scale_url_;
};

TEST_F(Station, WeighingsFromTheCameraCarryItsCountAndPicture) {
  ServerProcess::Options o;
  o.env = {{"CAM_URL", camera_url_}, {"AUTO_START_CAM", "1"}, {"PRELOAD_MODEL", "1"}, {"SCALE_URL", scale_url_},
           {"AUTO_CAPTURE", "save"}, {"AUTO_CAPTURE_SECONDS", "1"}, {"STABLE_SECONDS", "1"}, {"FPS", "5"}};
  ServerProcess server(o);

  // Automatic: once weight and count have both been stable for a second, a weighing is saved.
  json list;
  for (auto deadline = std::chrono::steady_clock::now() + 90s; std::chrono::steady_clock::now() < deadline;) {
    list = Weighings(server);
    if (list["total"].get<int>() > 0) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_GE(list["total"].get<int>(), 1) << server.Log();
  const json& w = list["items"].back();  // the first one saved
  EXPECT_EQ(w["source"]["kind"], "camera");
  EXPECT_EQ(w["source"]["camera_id"], "cam1");
  EXPECT_EQ(w["station"], "cam1");
  EXPECT_EQ(w["note"], "automatic");
  EXPECT_EQ(w["created_by"], "auto-capture");
  EXPECT_NEAR(w["total_kg"].get<double>(), 250.0, 0.01);
  EXPECT_GE(w["count"].get<int>(), 1);
  EXPECT_TRUE(w["evidence_url"].is_string()) << w.dump();
  EXPECT_EQ(w["model_hash"].get<std::string>().size(), 64u);

  // Typed by the operator for the same camera: the camera's count and picture come with it.
  auto typed = Fetch(server.Url("/api/weighings"),
                     {"-X", "POST", "--data-binary", R"({"total_kg": 251.5, "source": {"kind": "camera", "camera_id": "cam1"}})"});
  ASSERT_EQ(typed.status, 201) << typed.body;
  json t = json::parse(typed.body);
  EXPECT_TRUE(t["auto_count"].is_number());
  EXPECT_EQ(t["count"], t["auto_count"]);
  EXPECT_TRUE(t["evidence_url"].is_string());
  auto picture = Fetch(server.Url(t["evidence_url"].get<std::string>()));
  EXPECT_EQ(picture.status, 200);
  EXPECT_EQ(picture.Header("Content-Type"), "image/jpeg");
  auto unknown = Fetch(server.Url("/api/weighings"),
                       {"-X", "POST", "--data-binary", R"({"total_kg": 10, "count": 1, "source": {"kind": "camera", "camera_id": "nope"}})"});
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(Station, ConfirmModeAsksTheOperatorInsteadOfSaving) {
  ServerProcess::Options o;
  o.env = {{"CAM_URL", camera_url_}, {"AUTO_START_CAM", "1"}, {"PRELOAD_MODEL", "1"}, {"SCALE_URL", scale_url_},
           {"AUTO_CAPTURE", "confirm"}, {"AUTO_CAPTURE_SECONDS", "1"}, {"STABLE_SECONDS", "1"}, {"FPS", "5"}};
  ServerProcess server(o);
  bool proposed = false;
  for (auto deadline = std::chrono::steady_clock::now() + 90s; !proposed && std::chrono::steady_clock::now() < deadline;) {
    proposed = server.Log().find("weighing_proposal") != std::string::npos;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(proposed) << server.Log();
  EXPECT_EQ(Weighings(server)["total"], 0);  // nothing saved without the operator
}

}  // namespace
}  // namespace pw::test
