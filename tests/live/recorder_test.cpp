// Recorder against a real RTSP camera (tools/rtsp-test-server, 25 fps, a keyframe every second):
// segments cut by length, by window end, by reconnect and by hand; each file decodes with ffprobe;
// the disk floor stops recording with a clear error.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <regex>

#include "live/recorder.h"
#include "live/rtsp_ingest.h"
#include "rtsp_camera.h"

namespace pw::live {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::RtspCamera;
using test::WaitFor;

std::string LocalHms(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&tt, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &local);
  return buf;
}

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
    camera_.Start();
  }
  void TearDown() override {
    if (ingest_) ingest_->Stop();
    if (recorder_) recorder_->Stop();
  }

  void StartRecording(RecordSpec spec, std::uint64_t min_free_bytes = 0) {
    RecorderOptions o;
    o.dir = dir_.path();
    o.min_free_bytes = min_free_bytes;
    o.on_segment = [this](const fs::path& p) {
      std::lock_guard lock(mu_);
      segments_.push_back(p);
    };
    recorder_ = std::make_shared<Recorder>("cam1", std::move(spec), o);
    IngestOptions io;
    io.camera_id = "cam1";
    io.url = camera_.url();
    io.backoff_min = 100ms;
    io.backoff_max = 300ms;
    ingest_ = std::make_unique<RtspIngest>(io, std::make_shared<LatestFrame>());
    ingest_->AddSubscriber(recorder_);
    recorder_->Start();
    ingest_->Start();
  }

  std::vector<fs::path> Segments() {
    std::lock_guard lock(mu_);
    return segments_;
  }
  std::vector<fs::path> Parts() {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& f : fs::recursive_directory_iterator(dir_.path(), ec)) {
      if (f.path().extension() == ".part") out.push_back(f.path());
    }
    return out;
  }

  RtspCamera camera_;
  pw::test::TempDir dir_;
  std::mutex mu_;
  std::vector<fs::path> segments_;
  std::shared_ptr<Recorder> recorder_;
  std::unique_ptr<RtspIngest> ingest_;
};

TEST_F(RecorderTest, AlwaysScheduleWritesSegmentsOfTheSetLengthThatDecode) {
  StartRecording({{"always"}, 2});
  ASSERT_TRUE(WaitFor([&] { return Segments().size() >= 2; }, 20s)) << recorder_->ToJson().dump();
  auto json = recorder_->ToJson();
  EXPECT_TRUE(json["active"].get<bool>());
  EXPECT_TRUE(json["since"].is_string());
  EXPECT_TRUE(json["next_window_start"].is_null());
  ingest_->Stop();
  recorder_->Stop();
  auto files = Segments();
  ASSERT_GE(files.size(), 3u);  // two full ones and the one Stop() finished
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    EXPECT_EQ(f.parent_path(), dir_ / "cam1");
    EXPECT_TRUE(std::regex_match(f.filename().string(), std::regex(R"(cam1-\d{8}-\d{6}(-\d+)?\.mp4)"))) << f;
    test::ProbedVideo p = test::ProbeVideoFile(f);
    EXPECT_GT(p.frames, 0) << f;
    if (i + 1 < files.size()) {  // full segments: 2 s, within one GOP (1 s)
      EXPECT_NEAR(p.duration, 2.0, 1.0) << f;
      EXPECT_NEAR(p.frames, 50, 25) << f;
    }
  }
  EXPECT_TRUE(Parts().empty());
  EXPECT_EQ(recorder_->Stats().segments_written, files.size());
  EXPECT_FALSE(recorder_->Stats().active);
}

TEST_F(RecorderTest, WindowEndClosesTheSegmentAndShowsTheNextWindow) {
  const auto now = std::chrono::system_clock::now();
  StartRecording({{LocalHms(now - 1s) + "-" + LocalHms(now + 4s)}, 60});
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s)) << recorder_->ToJson().dump();
  EXPECT_TRUE(recorder_->ToJson()["window_end"].is_string());
  ASSERT_TRUE(WaitFor([&] { return Segments().size() == 1; }, 10s)) << recorder_->ToJson().dump();
  auto json = recorder_->ToJson();
  EXPECT_FALSE(json["active"].get<bool>());
  EXPECT_TRUE(json["next_window_start"].is_string());  // tomorrow, same time
  test::ProbedVideo p = test::ProbeVideoFile(Segments()[0]);
  EXPECT_GT(p.frames, 0);
  EXPECT_LT(p.duration, 6.0);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(Segments().size(), 1u);  // nothing more out of the window
  EXPECT_TRUE(Parts().empty());
}

TEST_F(RecorderTest, CameraReconnectClosesTheSegmentAndANewOneStartsAtTheNextKeyframe) {
  StartRecording({{"always"}, 60});
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s));
  std::this_thread::sleep_for(1500ms);
  const std::string first = recorder_->Stats().file;
  camera_.Restart();
  ASSERT_TRUE(WaitFor([&] { return Segments().size() == 1; }, 10s)) << recorder_->ToJson().dump();
  EXPECT_EQ(Segments()[0].string(), first);
  EXPECT_GT(test::ProbeVideoFile(Segments()[0]).frames, 0);
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 15s)) << recorder_->ToJson().dump();
  EXPECT_NE(recorder_->Stats().file, first);
}

TEST_F(RecorderTest, ManualStartAndStopOverrideAnEmptySchedule) {
  StartRecording({{}, 60});
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(recorder_->Stats().active);
  EXPECT_EQ(recorder_->SetOverride("pause").code(), core::Code::kInvalidArgument);
  ASSERT_TRUE(recorder_->SetOverride("start").ok());
  EXPECT_EQ(recorder_->ToJson()["override"], "start");
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s));
  std::this_thread::sleep_for(1200ms);
  ASSERT_TRUE(recorder_->SetOverride("stop").ok());
  ASSERT_TRUE(WaitFor([&] { return Segments().size() == 1; }, 10s));
  EXPECT_FALSE(recorder_->Stats().active);
  EXPECT_GT(test::ProbeVideoFile(Segments()[0]).frames, 0);
}

TEST_F(RecorderTest, AManualStartSurvivesARestartAndAnExpiredOneIsDropped) {
  StartRecording({{}, 60});
  ASSERT_TRUE(recorder_->SetOverride("start").ok());
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s));
  const fs::path saved = dir_.path() / "cam1" / "override.json";
  ASSERT_TRUE(fs::exists(saved));
  ingest_->Stop();
  recorder_->Stop();  // the server stops (or the power goes)
  StartRecording({{}, 60});
  EXPECT_EQ(recorder_->ToJson()["override"], "start");
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s)) << "recording resumes after the restart";
  ASSERT_TRUE(recorder_->SetOverride("stop").ok());  // no schedule: stopping clears the override
  EXPECT_FALSE(fs::exists(saved));
  ingest_->Stop();
  recorder_->Stop();

  // A stop that ran out while the server was down is dropped (and its file with it).
  pw::test::WriteFile(saved, R"({"on":false,"until_ms":1000})");
  StartRecording({{"always"}, 60});
  EXPECT_TRUE(recorder_->ToJson()["override"].is_null());
  EXPECT_FALSE(fs::exists(saved));
  ASSERT_TRUE(WaitFor([&] { return recorder_->Stats().active; }, 10s));
  ASSERT_TRUE(recorder_->SetOverride("stop").ok());  // in the "always" window: stopped until it ends
  EXPECT_TRUE(fs::exists(saved));
  recorder_->ForgetOverride();  // the camera was removed
  EXPECT_FALSE(fs::exists(saved));
  EXPECT_TRUE(recorder_->ToJson()["override"].is_null());
}

TEST_F(RecorderTest, DiskFloorStopsRecordingWithAClearError) {
  StartRecording({{"always"}, 2}, /*min_free_bytes=*/std::uint64_t{1} << 60);
  ASSERT_TRUE(WaitFor([&] { return !recorder_->Stats().last_error.empty(); }, 10s));
  std::this_thread::sleep_for(1s);
  auto s = recorder_->Stats();
  EXPECT_FALSE(s.active);
  EXPECT_NE(s.last_error.find("MIN_FREE_DISK_MB"), std::string::npos) << s.last_error;
  EXPECT_GE(s.errors, 1u);
  EXPECT_TRUE(Segments().empty());
  EXPECT_TRUE(Parts().empty());
}

}  // namespace
}  // namespace pw::live
