// The weighing service over the real SQLite store. Evidence comes from a provider function (the
// server's provider decodes a video frame and runs the model; the integration tests cover that).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "store/store.h"
#include "support/test_support.h"
#include "weighing/journal_service.h"

namespace pw::weighing {
namespace {

using nlohmann::json;
using pw::test::TempDir;

infer::Instance Pig(int x, int y, int w, int h) {
  infer::Instance i;
  i.box = cv::Rect2f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(w), static_cast<float>(h));
  i.score = 0.9f;
  i.polygon = {{x, y}, {x + w - 1, y}, {x + w - 1, y + h - 1}, {x, y + h - 1}};
  i.area = static_cast<double>(w) * h;
  return i;
}

Evidence PenWithThreePigs() {
  Evidence ev;
  ev.frame = cv::Mat(240, 320, CV_8UC3, cv::Scalar(120, 110, 100));
  ev.instances = {Pig(20, 20, 60, 30), Pig(120, 40, 60, 30), Pig(200, 150, 70, 35)};
  ev.track_ids = {4, 5, 9};
  ev.auto_count = 3;
  ev.raw_count = 3;
  ev.confidence = 0.9;
  ev.media_t = 12.48;
  ev.model_hash = "hash-of-model";
  return ev;
}

class Journal : public testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStore(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    Open([](const Source& s) -> core::Result<Evidence> {
      if (s.video_id == "missing") return core::Status::NotFound("no video missing");
      if (s.kind == Source::Kind::kCamera) return core::Status::Unavailable("camera cam1 is reconnecting");
      return PenWithThreePigs();
    });
  }
  void Open(EvidenceProvider provider) {
    WeighingOptions options;
    options.limits.max_total_kg = 5000;
    service_ = std::make_unique<WeighingService>(options, store_->journal(), std::move(provider),
                                                 [this](const json& e) { events_.push_back(e); });
  }
  json Create(const json& body) {
    auto r = service_->Create(body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : json();
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<WeighingService> service_;
  std::vector<json> events_;
};

TEST_F(Journal, VideoWeighingTakesTheAutomaticCountAndKeepsItsEvidence) {
  json r = Create({{"total_kg", 100.0}, {"source", {{"kind", "video"}, {"video_id", "v1"}, {"t", 12.5}}}});
  EXPECT_EQ(r["count"], 3);
  EXPECT_EQ(r["auto_count"], 3);
  EXPECT_EQ(r["override"], false);
  EXPECT_DOUBLE_EQ(r["avg_kg"].get<double>(), 33.33);
  EXPECT_DOUBLE_EQ(r["source"]["t"].get<double>(), 12.48);  // the frame's own time
  EXPECT_EQ(r["model_hash"], "hash-of-model");
  EXPECT_EQ(r["station"], "station1");
  EXPECT_EQ(r["shares"]["estimate"], true);
  EXPECT_EQ(r["shares"]["n"], 3);
  ASSERT_TRUE(r["evidence_url"].is_string());
  auto jpeg = service_->EvidenceJpeg(r["id"].get<int64_t>());
  ASSERT_TRUE(jpeg.ok());
  cv::Mat picture = cv::imdecode(std::vector<uchar>(jpeg->begin(), jpeg->end()), cv::IMREAD_COLOR);
  ASSERT_EQ(picture.size(), cv::Size(320, 240));
  // The masks are drawn: the first pig's centre is tinted away from the plain floor colour.
  cv::Vec3b centre = picture.at<cv::Vec3b>(35, 50);
  EXPECT_GT(cv::norm(cv::Vec3d(centre[0], centre[1], centre[2]) - cv::Vec3d(120, 110, 100)), 20.0);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0]["action"], "created");
}

TEST_F(Journal, OperatorsCountOverridesTheAutomaticOneAndIsMarked) {
  json r = Create({{"count", 4}, {"total_kg", 100.0}, {"auto_count", 3},
                   {"source", {{"kind", "video"}, {"video_id", "v1"}, {"t", 1.0}}}});
  EXPECT_EQ(r["count"], 4);
  EXPECT_EQ(r["auto_count"], 3);
  EXPECT_EQ(r["override"], true);
  EXPECT_DOUBLE_EQ(r["avg_kg"].get<double>(), 25.0);
}

TEST_F(Journal, CameraWithoutAPictureIsStillSavedAndSaysWhy) {
  json r = Create({{"count", 10}, {"total_kg", 250.0}, {"source", {{"kind", "camera"}, {"camera_id", "cam1"}}}});
  EXPECT_EQ(r["station"], "cam1");
  EXPECT_TRUE(r["evidence_url"].is_null());
  ASSERT_TRUE(r.contains("warnings"));
  EXPECT_NE(r["warnings"][0].get<std::string>().find("reconnecting"), std::string::npos);
  auto stored = service_->Get(r["id"].get<int64_t>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)["count"], 10);
}

TEST_F(Journal, UnknownVideoIsRejectedWithTheField) {
  auto r = service_->Create({{"total_kg", 100.0}, {"source", {{"kind", "video"}, {"video_id", "missing"}, {"t", 1}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::Code::kNotFound);
  EXPECT_EQ(r.status().field(), "source.video_id");
}

TEST_F(Journal, ManualWeighingNeedsACount) {
  auto r = service_->Create({{"total_kg", 100.0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "count");
}

TEST_F(Journal, AmendingKeepsTheOldValuesAsHistoryAndRecomputesTheAverage) {
  json r = Create({{"total_kg", 90.0}, {"source", {{"kind", "video"}, {"video_id", "v1"}, {"t", 1.0}}}});
  int64_t id = r["id"].get<int64_t>();
  double old_mean = r["shares"]["mean_kg"].get<double>();
  auto amended = service_->Amend(id, {{"total_kg", 120.0}, {"note", "scale re-zeroed"}});
  ASSERT_TRUE(amended.ok()) << amended.status().ToString();
  EXPECT_EQ((*amended)["revision"], 2);
  EXPECT_DOUBLE_EQ((*amended)["avg_kg"].get<double>(), 40.0);
  EXPECT_NEAR((*amended)["shares"]["mean_kg"].get<double>(), old_mean * 120.0 / 90.0, 0.02);
  ASSERT_EQ((*amended)["history"].size(), 1u);
  const json& h = (*amended)["history"][0];
  EXPECT_EQ(h["revision"], 1);
  EXPECT_EQ(h["action"], "amend");
  EXPECT_DOUBLE_EQ(h["fields"]["total_kg"].get<double>(), 90.0);
  EXPECT_DOUBLE_EQ(h["fields"]["avg_kg"].get<double>(), 30.0);
  EXPECT_EQ(h["fields"]["note"], "");

  auto count_change = service_->Amend(id, {{"count", 4}});
  ASSERT_TRUE(count_change.ok());
  EXPECT_EQ((*count_change)["override"], true);
  EXPECT_DOUBLE_EQ((*count_change)["avg_kg"].get<double>(), 30.0);
  EXPECT_EQ((*count_change)["history"].size(), 2u);
}

TEST_F(Journal, AmendingAnOutdatedRevisionConflicts) {
  json r = Create({{"count", 2}, {"total_kg", 50.0}});
  int64_t id = r["id"].get<int64_t>();
  ASSERT_TRUE(service_->Amend(id, {{"note", "first"}, {"revision", 1}}).ok());
  auto stale = service_->Amend(id, {{"note", "second"}, {"revision", 1}});
  EXPECT_EQ(stale.status().code(), core::Code::kConflict);
}

TEST_F(Journal, DeleteIsSoftAndHiddenFromListsUnlessAskedFor) {
  json a = Create({{"count", 2}, {"total_kg", 50.0}});
  json b = Create({{"count", 3}, {"total_kg", 60.0}});
  ASSERT_TRUE(service_->Delete(a["id"].get<int64_t>()).ok());
  auto listed = service_->List({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)["total"], 1);
  EXPECT_EQ((*listed)["items"][0]["id"], b["id"]);
  store::JournalQuery all;
  all.include_deleted = true;
  EXPECT_EQ((*service_->List(all))["total"], 2);
  auto gone = service_->Get(a["id"].get<int64_t>());
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ((*gone)["deleted"], true);
  EXPECT_EQ((*gone)["history"][0]["action"], "delete");
  EXPECT_EQ(service_->Amend(a["id"].get<int64_t>(), {{"note", "x"}}).status().code(), core::Code::kConflict);
  EXPECT_EQ(service_->Delete(999).code(), core::Code::kNotFound);
}

TEST_F(Journal, ListsFilterByStationAndDateAndPageNewestFirst) {
  for (int i = 0; i < 5; ++i) Create({{"count", 2}, {"total_kg", 50.0 + i}, {"station", i % 2 ? "pen B" : "pen A"}});
  store::JournalQuery q;
  q.station = "pen A";
  auto a = service_->List(q);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)["total"], 3);
  q = {};
  q.limit = 2;
  q.offset = 1;
  auto page = service_->List(q);
  EXPECT_EQ((*page)["total"], 5);
  ASSERT_EQ((*page)["items"].size(), 2u);
  EXPECT_DOUBLE_EQ((*page)["items"][0]["total_kg"].get<double>(), 53.0);  // newest first, one skipped
  std::string today = (*page)["items"][0]["created_local"].get<std::string>().substr(0, 10);
  q = {};
  q.from_date = today;
  q.to_date = today;
  EXPECT_EQ((*service_->List(q))["total"], 5);
  q.from_date = "2000-01-01";
  q.to_date = "2000-01-02";
  EXPECT_EQ((*service_->List(q))["total"], 0);
}

TEST_F(Journal, SurvivesReopeningTheStore) {
  json r = Create({{"total_kg", 100.0}, {"source", {{"kind", "video"}, {"video_id", "v1"}, {"t", 1.0}}}});
  service_.reset();
  store_.reset();
  auto reopened = store::OpenSqliteStore(dir_.path());
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(reopened).value();
  Open({});
  auto again = service_->Get(r["id"].get<int64_t>());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["avg_kg"], r["avg_kg"]);
  EXPECT_TRUE(service_->EvidenceJpeg(r["id"].get<int64_t>()).ok());
}

}  // namespace
}  // namespace pw::weighing
