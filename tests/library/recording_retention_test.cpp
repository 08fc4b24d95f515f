// Recording retention on real files, a real store and the real video library: old recordings go
// from the library and the disk; evidence of a weighing, recent ones, files being written and
// anything outside the recordings folder stay.
#include "library/recording_retention.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "support/test_support.h"

namespace pw::library {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::RunCommand;

// A short H.264 file; `seconds` differs per file so that every file has its own content id.
void MakeVideo(const fs::path& out, double seconds) {
  fs::create_directories(out.parent_path());
  auto r = RunCommand({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x96:rate=10", "-t",
                       std::to_string(seconds), "-c:v", "libx264", "-preset", "ultrafast", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

void Age(const fs::path& file, std::chrono::hours age) {
  fs::last_write_time(file, fs::file_time_type::clock::now() - age);
}

class RecordingRetention : public testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStore(data_.path());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    LibraryOptions lo;
    lo.data_dir = data_.path();
    library_ = std::make_unique<VideoLibrary>(lo, store_->videos());
  }
  std::string Register(const fs::path& file) {
    auto r = library_->RegisterFile(file);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? (*r)["id"].get<std::string>() : "";
  }
  void WeighFrom(const std::string& video_id) {
    store::WeighingRow row;
    row.created_utc = "2026-10-01T09:00:00.000Z";
    row.created_local = "2026-10-01T12:00:00+03:00";
    row.station = "pen1";
    row.source_json = nlohmann::json{{"kind", "video"}, {"video_id", video_id}, {"t", 1.5}}.dump();
    row.count = 10;
    row.total_kg = 250;
    row.avg_kg = 25;
    ASSERT_TRUE(store_->journal().Insert(row, "", "").ok());
  }
  core::Result<RetentionReport> Sweep(int keep_days) {
    return SweepRecordings(recordings_, keep_days, std::chrono::system_clock::now(), *library_, store_->videos(),
                           store_->journal());
  }

  test::TempDir data_;
  fs::path recordings_ = data_.path() / "recordings";
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<VideoLibrary> library_;
};

TEST_F(RecordingRetention, DeletesOldRecordingsAndKeepsEvidenceRecentPartialAndForeignFiles) {
  const fs::path old_file = recordings_ / "cam1" / "cam1-20261001-090000.mp4";
  const fs::path evidence = recordings_ / "cam1" / "cam1-20261001-091000.mp4";
  const fs::path recent = recordings_ / "cam1" / "cam1-20261128-090000.mp4";
  const fs::path orphan = recordings_ / "cam2" / "cam2-20261001-090000.mp4";
  const fs::path partial = recordings_ / "cam2" / "cam2-20261001-100000.mp4.part";
  const fs::path foreign = data_.path() / "elsewhere" / "weighing-2026-10-01.mp4";
  MakeVideo(old_file, 1.0);
  MakeVideo(evidence, 1.2);
  MakeVideo(recent, 1.4);
  MakeVideo(orphan, 1.6);
  MakeVideo(foreign, 1.8);
  fs::copy_file(orphan, partial);
  const std::string old_id = Register(old_file), evidence_id = Register(evidence), recent_id = Register(recent),
                    foreign_id = Register(foreign);
  WeighFrom(evidence_id);
  WeighFrom("not-a-recording");
  for (const auto& f : {old_file, evidence, orphan, partial, foreign}) Age(f, 24h * 40);
  Age(recent, 24h * 1);
  const auto old_size = fs::file_size(old_file) + fs::file_size(orphan);

  auto off = Sweep(0);  // 0: keep forever
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->deleted, 0);
  EXPECT_TRUE(fs::exists(old_file));

  auto report = Sweep(30);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 2);
  EXPECT_EQ(report->bytes_freed, old_size);
  EXPECT_EQ(report->kept_for_weighings, 1);
  EXPECT_TRUE(report->errors.empty()) << report->errors.front();
  EXPECT_FALSE(fs::exists(old_file));
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_EQ(library_->Get(old_id).status().code(), core::Code::kNotFound);
  for (const auto& f : {evidence, recent, partial, foreign}) EXPECT_TRUE(fs::exists(f)) << f;
  for (const auto& id : {evidence_id, recent_id, foreign_id}) EXPECT_TRUE(library_->Get(id).ok()) << id;

  auto again = Sweep(30);  // nothing left to do
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->deleted, 0);
  EXPECT_EQ(again->kept_for_weighings, 1);
}

TEST_F(RecordingRetention, AMissingFileIsLeftInTheLibrary) {
  // An unmounted recordings disk must not empty the library.
  const fs::path file = recordings_ / "cam1" / "cam1-20261001-090000.mp4";
  MakeVideo(file, 1.0);
  const std::string id = Register(file);
  fs::remove(file);
  auto report = Sweep(30);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->deleted, 0);
  EXPECT_TRUE(library_->Get(id).ok());
}

}  // namespace
}  // namespace pw::library
