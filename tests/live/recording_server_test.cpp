// Recording with the real `pigweight serve` and a real RTSP camera: segments land in
// DATA_DIR/recordings/cam1, decode, and are registered in the video library (GET /api/videos); the
// manual override answers through the API; after kill -9 mid-segment a restart repairs the
// partial segment (cut to its last complete fragment), registers it and leaves no `.part`;
// recordings older than RECORD_KEEP_DAYS are deleted from the library and the disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "rtsp_camera.h"

namespace pw::live {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using pw::test::Fetch;
using pw::test::ServerProcess;
using test::RtspCamera;
using test::WaitFor;

nlohmann::json GetJson(const ServerProcess& s, const std::string& path) {
  auto r = Fetch(s.Url(path));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// Registered videos whose file lies under DATA_DIR/recordings.
std::vector<nlohmann::json> Recordings(const ServerProcess& s) {
  std::vector<nlohmann::json> out;
  auto j = GetJson(s, "/api/videos");
  if (!j.contains("videos")) return out;
  for (const auto& v : j["videos"]) {
    if (v.value("path", "").find("/recordings/cam1/") != std::string::npos) out.push_back(v);
  }
  return out;
}

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& f : fs::recursive_directory_iterator(dir, ec)) {
    if (f.path().extension() == ext) out.push_back(f.path());
  }
  return out;
}

std::map<std::string, std::string> Env(const RtspCamera& cam, const std::string& record, int segment_seconds) {
  return {{"CAM_URL", cam.url()},     {"CAM_RECORD", record}, {"RECORD_SEGMENT_SECONDS", std::to_string(segment_seconds)},
          {"AUTO_START_CAM", "1"},     {"AUTH", "0"},          {"MIN_FREE_DISK_MB", "64"}};
}

ServerProcess::Options Options(std::map<std::string, std::string> env, const fs::path& data_dir = {}) {
  ServerProcess::Options o;
  o.env = std::move(env);
  o.data_dir = data_dir;
  return o;
}

class RecordingServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
    camera_.Start();
  }
  RtspCamera camera_;
};

TEST_F(RecordingServerTest, SegmentsAreWrittenAndRegisteredInTheLibrary) {
  ServerProcess server(Options(Env(camera_, "always", 2)));
  ASSERT_TRUE(WaitFor([&] { return Recordings(server).size() >= 2; }, 30s))
      << GetJson(server, "/api/cameras/cam1").dump() << server.Log();
  auto cam = GetJson(server, "/api/cameras/cam1");
  EXPECT_EQ(cam["record"]["schedule"], nlohmann::json::array({"always"}));
  EXPECT_EQ(cam["record"]["segment_seconds"], 2);
  EXPECT_GE(cam["recording"]["segments_written"].get<int>(), 2);
  for (const auto& v : Recordings(server)) {
    test::ProbedVideo p = test::ProbeVideoFile(v["path"].get<std::string>());
    EXPECT_NEAR(p.duration, 2.0, 1.0) << v.dump();
    EXPECT_GT(p.frames, 25) << v.dump();
  }
  auto metrics = Fetch(server.Url("/metrics")).body;
  EXPECT_TRUE(std::regex_search(metrics, std::regex(R"(pigweight_camera_recording_segments_total\{camera="cam1"\} [1-9])")))
      << metrics;

  // Manual override through the API.
  auto bad = Fetch(server.Url("/api/cameras/cam1/recording"), {"-X", "POST", "-d", R"({"action":"pause"})"});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["field"], "action");
  auto stop = Fetch(server.Url("/api/cameras/cam1/recording"), {"-X", "POST", "-d", R"({"action":"stop"})"});
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(nlohmann::json::parse(stop.body)["recording"]["override"], "stop");
  ASSERT_TRUE(WaitFor([&] { return !GetJson(server, "/api/cameras/cam1")["recording"]["active"].get<bool>(); }, 10s));
  EXPECT_TRUE(WaitFor([&] { return Files(server.data_dir() / "recordings", ".part").empty(); }, 5s));
  EXPECT_EQ(Fetch(server.Url("/api/cameras/nope/recording"), {"-X", "POST", "-d", R"({"action":"start"})"}).status, 404);
}

TEST_F(RecordingServerTest, BadScheduleIsRefusedWithTheFieldNamed) {
  ServerProcess server(Options({{"AUTH", "0"}}));
  auto r = Fetch(server.Url("/api/cameras"),
                 {"-X", "POST", "-d",
                  R"({"id":"pen1","url":"rtsp://127.0.0.1:9/x","enabled":false,"record":{"schedule":["9-10"]}})"});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["field"], "record.schedule");
}

TEST_F(RecordingServerTest, KillDuringRecordingThenRestartRepairsAndRegistersThePartialSegment) {
  pw::test::TempDir data;
  fs::path part;
  {
    ServerProcess server(Options(Env(camera_, "always", 60), data.path()));
    ASSERT_TRUE(WaitFor([&] { return GetJson(server, "/api/cameras/cam1")["recording"].value("active", false); }, 20s))
        << server.Log();
    std::this_thread::sleep_for(3500ms);  // a few one-second fragments, then mid-fragment
    auto parts = Files(data.path() / "recordings", ".part");
    ASSERT_EQ(parts.size(), 1u);
    part = parts[0];
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_TRUE(fs::exists(part));
  const auto crashed_size = fs::file_size(part);
  ServerProcess server(Options({{"AUTH", "0"}}, data.path()));
  const fs::path repaired = fs::path(part).replace_extension();  // without ".part"
  ASSERT_TRUE(WaitFor([&] { return !Recordings(server).empty(); }, 20s)) << server.Log();
  auto videos = Recordings(server);
  ASSERT_EQ(videos.size(), 1u);
  EXPECT_EQ(videos[0]["path"], fs::absolute(repaired).string());
  EXPECT_TRUE(Files(data.path() / "recordings", ".part").empty());
  EXPECT_LE(fs::file_size(repaired), crashed_size);
  test::ProbedVideo p = test::ProbeVideoFile(repaired);
  EXPECT_GE(p.frames, 50) << "the complete fragments (about 3 s at 25 fps) must decode";
  const std::string log = server.Log();
  const auto at = log.find("left by a crash");
  ASSERT_NE(at, std::string::npos) << log;
  std::cout << log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at)) << std::flush;
}

TEST_F(RecordingServerTest, RecordingsOlderThanKeepDaysAreDeletedFromTheLibraryAndTheDisk) {
  pw::test::TempDir data;
  std::vector<nlohmann::json> made;
  {
    auto env = Env(camera_, "always", 1);
    env["RECORD_KEEP_DAYS"] = "0";  // keep forever while they are made
    ServerProcess server(Options(env, data.path()));
    ASSERT_TRUE(WaitFor([&] { return Recordings(server).size() >= 3; }, 30s)) << server.Log();
    made = Recordings(server);
    ASSERT_EQ(server.Stop(SIGTERM), 0);
  }
  // The first recording was written 40 days ago; the others are recent.
  const fs::path old_file = made[0]["path"].get<std::string>();
  fs::last_write_time(old_file, fs::file_time_type::clock::now() - std::chrono::hours(24 * 40));
  ServerProcess server(Options({{"AUTH", "0"}, {"RECORD_KEEP_DAYS", "30"}}, data.path()));
  const std::string old_url = "/api/videos/" + made[0]["id"].get<std::string>();
  ASSERT_TRUE(WaitFor([&] { return Fetch(server.Url(old_url)).status == 404; }, 20s)) << server.Log();
  EXPECT_FALSE(fs::exists(old_file));
  for (std::size_t i = 1; i < made.size(); ++i) {
    EXPECT_EQ(Fetch(server.Url("/api/videos/" + made[i]["id"].get<std::string>())).status, 200) << i;
    EXPECT_TRUE(fs::exists(made[i]["path"].get<std::string>())) << i;
  }
  EXPECT_NE(server.Log().find("recordings: deleted 1 older than 30 days"), std::string::npos) << server.Log();
}

}  // namespace
}  // namespace pw::live
