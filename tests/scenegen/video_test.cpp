// Generated videos: H.264 with the asked frame count and timestamps (checked by ffprobe), truth
// per frame with ids stable across the sequence.
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "scenegen/dataset.h"
#include "scenegen/sequence.h"
#include "support/test_support.h"

namespace pw::scenegen {
namespace {

class VideoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    VideoJob job;
    job.out_dir = dir_->path().string();
    job.seed = 17;
    job.scene.width = 320;
    job.scene.height = 192;
    job.scene.count = 12;
    job.seconds = 4;
    job.fps = 10;
    job.gop = 20;
    const core::Status s = WriteVideo(job);
    ASSERT_TRUE(s.ok()) << s.ToString();
    truth_ = nlohmann::json::parse(test::ReadFile(dir_->path() / "video.json"));
  }
  static void TearDownTestSuite() { delete dir_; }
  static test::TempDir* dir_;
  static nlohmann::json truth_;
};
test::TempDir* VideoTest::dir_ = nullptr;
nlohmann::json VideoTest::truth_;

TEST_F(VideoTest, IsH264WithFpsTimesSecondsFramesAtRegularTimestamps) {
  const auto probe = test::RunCommand({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                "stream=codec_name,width,height,r_frame_rate:frame=pts_time,key_frame",
                                "-of", "json", (dir_->path() / "video.mp4").string()});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const auto j = nlohmann::json::parse(probe.out);
  EXPECT_EQ(j["streams"][0]["codec_name"], "h264");
  EXPECT_EQ(j["streams"][0]["width"], 320);
  EXPECT_EQ(j["streams"][0]["r_frame_rate"], "10/1");
  const auto& frames = j["frames"];
  ASSERT_EQ(frames.size(), 40u);
  for (size_t i = 0; i < frames.size(); ++i) {
    const double t = std::stod(frames[i]["pts_time"].get<std::string>());
    EXPECT_NEAR(t, i / 10.0, 1e-3) << "frame " << i;
    EXPECT_EQ(frames[i]["key_frame"].get<int>() == 1, i % 20 == 0) << "frame " << i;
  }
  ASSERT_EQ(truth_["frames"].size(), 40u);
  EXPECT_EQ(truth_["frame_count"], 40);
  for (size_t i = 0; i < 40; ++i) EXPECT_NEAR(truth_["frames"][i]["t"].get<double>(), i / 10.0, 1e-9);
}

TEST_F(VideoTest, AnimalsEnterStayAndLeaveWithStableIds) {
  // Each id is present over one unbroken stretch of frames with a constant weight; the pen fills
  // up and empties again.
  std::map<int, std::vector<int>> present;
  std::map<int, double> weight;
  int peak = 0;
  for (const auto& f : truth_["frames"]) peak = std::max(peak, f["animals_in_pen"].get<int>());
  EXPECT_EQ(peak, 12);
  EXPECT_LT(truth_["frames"].front()["animals_in_pen"].get<int>(), 12);
  EXPECT_LT(truth_["frames"].back()["animals_in_pen"].get<int>(), 12);
  for (const auto& f : truth_["frames"]) {
    const int index = f["index"];
    std::set<int> in_pen;
    for (const auto& id : f["in_pen"]) {
      in_pen.insert(id.get<int>());
      present[id.get<int>()].push_back(index);
    }
    EXPECT_EQ(static_cast<int>(in_pen.size()), f["animals_in_pen"].get<int>());
    for (const auto& in : f["instances"]) {
      const int id = in["id"];
      EXPECT_TRUE(in_pen.count(id)) << "visible id " << id << " not in the pen";
      if (weight.count(id)) {
        EXPECT_DOUBLE_EQ(weight[id], in["weight_kg"].get<double>());
      }
      weight[id] = in["weight_kg"];
    }
  }
  ASSERT_EQ(present.size(), 12u);
  for (const auto& [id, frames] : present) {
    EXPECT_GE(id, 1);
    EXPECT_LE(id, 12);
    EXPECT_EQ(frames.back() - frames.front() + 1, static_cast<int>(frames.size())) << "id " << id;
  }
}

TEST(SequenceTest, PosesAreAPureFunctionOfTime) {
  SceneOptions o;
  o.width = 320;
  o.height = 192;
  o.count = 8;
  const Sequence seq = SampleSequence(3, o, 20);
  for (double t : {0.0, 3.3, 9.9, 15.0}) {
    const auto a = AnimalsAt(seq, t), b = AnimalsAt(seq, t);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_EQ(a[i].centre, b[i].centre);
    }
  }
  // Mid-sequence all animals are in, settled and close to their resting place.
  const auto mid = AnimalsAt(seq, 11.5);
  ASSERT_EQ(mid.size(), 8u);
  for (size_t i = 0; i < mid.size(); ++i) {
    const double len_px = mid[i].length_m * seq.scene.pixels_per_metre;
    EXPECT_LT(cv::norm(mid[i].centre - seq.scripts[i].rest.centre), 0.1 * len_px);
  }
}

}  // namespace
}  // namespace pw::scenegen
