// Counting and the journal end to end: the real server with the demo model, a generated weighing
// video, curl as the client; kill -9 during a burst of journal writes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <cmath>
#include <csignal>
#include <mutex>
#include <thread>

#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json Json(const CurlResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

CurlResponse Send(const ServerProcess& s, const std::string& method, const std::string& path, const json& body) {
  return Fetch(s.Url(path), {"-X", method, "-H", "Content-Type: application/json", "--data-binary", body.dump()});
}

// A 6 s weighing video (10 fps, 12 animals) rendered by the scene generator, shared by the tests.
class Weighings : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto r = RunCommand({PigweightBinary(), "gen-scene", "--seed", "4242", "--count", "12", "--width", "320",
                         "--height", "192", "--images", "0", "--video", "6", "--fps", "10", "--gop", "20",
                         "--out", (dir_->path() / "pen").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { server_ = std::make_unique<ServerProcess>(Options()); }
  ServerProcess::Options Options() {
    ServerProcess::Options o;
    o.data_dir = data_.path();
    o.env = {{"STATION", "pen-test"}, {"WEIGHT_MAX_KG", "5000"}};
    return o;
  }
  std::string RegisterVideo() {
    auto r = Send(*server_, "POST", "/api/videos", {{"path", (dir_->path() / "pen" / "video.mp4").string()}});
    EXPECT_EQ(r.status, 201) << r.body;
    auto j = Json(r);
    return j["videos"].empty() ? "" : j["videos"][0]["id"].get<std::string>();
  }
  json CountAt(const std::string& id, const std::string& t) {
    auto r = Fetch(server_->Url("/api/video_file/count_at_time?id=" + id + "&t=" + t));
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }

  static TempDir* dir_;
  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
};
TempDir* Weighings::dir_ = nullptr;

TEST_F(Weighings, CountAtTimeAnswersForTheFrameShownAtThatTime) {
  std::string id = RegisterVideo();
  ASSERT_FALSE(id.empty());
  json c = CountAt(id, "2.55");
  EXPECT_DOUBLE_EQ(c["t_requested"].get<double>(), 2.55);
  EXPECT_NEAR(c["t_frame"].get<double>(), 2.5, 1e-6);  // 10 fps: the frame shown at 2.55 s began at 2.5 s
  EXPECT_EQ(c["from_index"], false);
  EXPECT_EQ(c["frame_size"], json::array({320, 192}));
  int counted = 0;
  for (const auto& inst : c["instances"]) {
    EXPECT_GE(inst["polygon"].size(), 3u);
    counted += inst["score"].get<double>() >= 0.5 ? 1 : 0;
  }
  EXPECT_EQ(c["count"], counted);
  EXPECT_GT(counted, 0);
  // Before the start: the first frame; after the end: the last one.
  EXPECT_NEAR(CountAt(id, "-3")["t_frame"].get<double>(), 0.0, 1e-6);
  EXPECT_NEAR(CountAt(id, "99")["t_frame"].get<double>(), 5.9, 1e-6);
  EXPECT_EQ(Fetch(server_->Url("/api/videos/" + id + "/count?t=1.0")).status, 200);
  EXPECT_EQ(Fetch(server_->Url("/api/video_file/count_at_time?id=" + id + "&t=abc")).status, 400);
  EXPECT_EQ(Fetch(server_->Url("/api/video_file/count_at_time?id=nope&t=1")).status, 404);
}

TEST_F(Weighings, VideoWeighingIsStoredWithItsEvidenceAndSurvivesARestart) {
  std::string id = RegisterVideo();
  json frame = CountAt(id, "3.0");
  auto r = Send(*server_, "POST", "/api/weighings",
                {{"total_kg", "420,5"}, {"note", "утренняя группа"},
                 {"source", {{"kind", "video"}, {"video_id", id}, {"t", 3.0}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  json w = Json(r);
  EXPECT_EQ(r.Header("Location"), "/api/weighings/" + std::to_string(w["id"].get<int64_t>()));
  EXPECT_EQ(w["count"], frame["count"]);
  EXPECT_EQ(w["raw_count"], frame["count"]);
  EXPECT_EQ(w["override"], false);
  EXPECT_DOUBLE_EQ(w["avg_kg"].get<double>(), std::round(420.5 / w["count"].get<int>() * 100) / 100);
  EXPECT_EQ(w["station"], "pen-test");
  EXPECT_EQ(w["note"], "утренняя группа");
  EXPECT_EQ(w["model_hash"].get<std::string>().size(), 64u);
  auto evidence = Fetch(server_->Url(w["evidence_url"].get<std::string>()));
  ASSERT_EQ(evidence.status, 200);
  EXPECT_EQ(evidence.Header("Content-Type"), "image/jpeg");
  cv::Mat picture = cv::imdecode(std::vector<uchar>(evidence.body.begin(), evidence.body.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(picture.size(), cv::Size(320, 192));

  server_->Stop();
  server_ = std::make_unique<ServerProcess>(Options());
  auto again = Fetch(server_->Url("/api/weighings/" + std::to_string(w["id"].get<int64_t>())));
  ASSERT_EQ(again.status, 200);
  json stored = Json(again);
  for (const char* key : {"count", "total_kg", "avg_kg", "note", "source", "created_utc", "model_hash"}) {
    EXPECT_EQ(stored[key], w[key]) << key;
  }
  EXPECT_EQ(Fetch(server_->Url(w["evidence_url"].get<std::string>())).body, evidence.body);
}

TEST_F(Weighings, BadInputIsRefusedWithTheFieldAndNothingIsStored) {
  struct Case {
    json body;
    int status;
    std::string field;
  } cases[] = {
      {{{"count", 3}, {"total_kg", 0}}, 422, "total_kg"},
      {{{"count", 3}, {"total_kg", 9000}}, 422, "total_kg"},
      {{{"count", 0}, {"total_kg", 100}}, 422, "count"},
      {{{"total_kg", 100}}, 422, "count"},
      {{{"count", 3}, {"total_kg", 100}, {"source", {{"kind", "video"}, {"video_id", "nope"}, {"t", 1}}}}, 404,
       "source.video_id"},
  };
  for (const auto& c : cases) {
    auto r = Send(*server_, "POST", "/api/weighings", c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " " << r.body;
    EXPECT_EQ(Json(r)["error"]["field"], c.field) << r.body;
  }
  auto not_json = Fetch(server_->Url("/api/weighings"), {"-X", "POST", "--data-binary", "{count:"});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Json(Fetch(server_->Url("/api/weighings")))["total"], 0);
  EXPECT_EQ(Fetch(server_->Url("/api/weighings/12345")).status, 404);
  EXPECT_EQ(Fetch(server_->Url("/api/weighings/abc")).status, 404);
  EXPECT_EQ(Fetch(server_->Url("/api/weighings?from=yesterday")).status, 400);
}

TEST_F(Weighings, AmendKeepsHistoryDeleteIsSoftAndCsvExportsTheJournal) {
  auto created = Send(*server_, "POST", "/api/weighings", {{"count", 10}, {"total_kg", 300}, {"note", "a; b"}});
  ASSERT_EQ(created.status, 201);
  std::string url = "/api/weighings/" + std::to_string(Json(created)["id"].get<int64_t>());
  auto amended = Send(*server_, "PATCH", url, {{"total_kg", 310.2}});
  ASSERT_EQ(amended.status, 200) << amended.body;
  json a = Json(amended);
  EXPECT_DOUBLE_EQ(a["avg_kg"].get<double>(), 31.02);
  EXPECT_DOUBLE_EQ(a["history"][0]["fields"]["total_kg"].get<double>(), 300.0);
  EXPECT_EQ(Send(*server_, "PATCH", url, {{"avg_kg", 1}}).status, 422);

  auto csv = Fetch(server_->Url("/api/weighings.csv?sep=%3B"));
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.Header("Content-Type").find("text/csv"), std::string::npos);
  EXPECT_NE(csv.Header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find(";310,20;31,02;"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\"a; b\""), std::string::npos) << csv.body;

  EXPECT_EQ(Fetch(server_->Url(url), {"-X", "DELETE"}).status, 204);
  EXPECT_EQ(Json(Fetch(server_->Url("/api/weighings")))["total"], 0);
  json gone = Json(Fetch(server_->Url(url)));
  EXPECT_EQ(gone["deleted"], true);
  EXPECT_EQ(gone["history"].size(), 2u);
  EXPECT_EQ(Json(Fetch(server_->Url("/api/weighings?deleted=1")))["total"], 1);
}

TEST_F(Weighings, EveryAcknowledgedWeighingSurvivesKillDashNine) {
  std::mutex mu;
  std::map<int64_t, double> acknowledged;  // id -> total_kg
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        double total = 100 + w * 1000 + i;
        auto r = Send(*server_, "POST", "/api/weighings", {{"count", 7}, {"total_kg", total}, {"note", "burst"}});
        if (r.status != 201) return;  // the server is gone
        std::lock_guard lock(mu);
        acknowledged[Json(r)["id"].get<int64_t>()] = total;
      }
    });
  }
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mu);
    if (acknowledged.size() >= 40) break;
  }
  server_->Stop(SIGKILL);  // while the writers are still sending
  stop = true;
  for (auto& t : writers) t.join();

  server_ = std::make_unique<ServerProcess>(Options());
  json all = Json(Fetch(server_->Url("/api/weighings?limit=1000")));
  std::map<int64_t, json> stored;
  for (const auto& item : all["items"]) stored[item["id"].get<int64_t>()] = item;
  EXPECT_EQ(all["total"].get<size_t>(), stored.size());
  for (const auto& [id, total] : acknowledged) {
    ASSERT_TRUE(stored.count(id)) << "acknowledged weighing " << id << " was lost";
    EXPECT_DOUBLE_EQ(stored[id]["total_kg"].get<double>(), total);
  }
  for (const auto& [id, item] : stored) {  // none half-written
    EXPECT_EQ(item["count"], 7);
    EXPECT_EQ(item["note"], "burst");
    EXPECT_DOUBLE_EQ(item["avg_kg"].get<double>(), std::round(item["total_kg"].get<double>() / 7 * 100) / 100);
  }
}

}  // namespace
}  // namespace pw::test
