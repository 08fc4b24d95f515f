#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "support/test_support.h"

namespace pw::store {
namespace {

using pw::test::TempDir;

TEST(SqliteStore, CreatesTheDataDirAndAppliesEveryMigration) {
  TempDir dir;
  auto store = OpenSqliteStore(dir / "nested" / "data");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->backend(), "sqlite");
  EXPECT_EQ((*store)->schema_version(), SqliteMigrations().back().version);
  EXPECT_TRUE((*store)->Check().ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "nested" / "data" / "pigweight.db"));
}

TEST(SqliteStore, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  TempDir dir;
  {
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok());
  }
  {
    auto db = Db::Open(dir / "pigweight.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO meta(key, value) VALUES ('probe', 'kept')").ok());
  }
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto db = Db::Open(dir / "pigweight.db");
  auto stmt = db->Prepare("SELECT value FROM meta WHERE key = 'probe'");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Text(0), "kept");
  auto count = db->Prepare("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int(0), static_cast<int64_t>(SqliteMigrations().size()));
}

TEST(SqliteStore, UsesWriteAheadLogging) {
  TempDir dir;
  ASSERT_TRUE(OpenSqliteStore(dir.path()).ok());
  auto db = Db::Open(dir / "pigweight.db");
  auto stmt = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Text(0), "wal");
}

TEST(SqliteStore, RefusesADatabaseFromANewerVersion) {
  TempDir dir;
  ASSERT_TRUE(OpenSqliteStore(dir.path()).ok());
  {
    auto db = Db::Open(dir / "pigweight.db");
    ASSERT_TRUE(db->Exec("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").ok());
  }
  auto store = OpenSqliteStore(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("newer than this PigWeight"), std::string::npos);
}

TEST(SqliteStore, ReportsAnUnusableDataDirectory) {
  TempDir dir;
  pw::test::WriteFile(dir / "file", "x");
  auto store = OpenSqliteStore(dir / "file" / "sub");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("cannot create data directory"), std::string::npos);
}

TEST(Sqlite, ConstraintViolationsAreConflicts) {
  TempDir dir;
  auto db = Db::Open(dir / "t.db");
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('a')").ok());
  auto stmt = db->Prepare("INSERT INTO t VALUES (?)");
  core::Status st = stmt->Bind(1, std::string_view("a")).Run();
  EXPECT_EQ(st.code(), core::Code::kConflict) << st.ToString();
}

}  // namespace
}  // namespace pw::store

namespace pw::store {
namespace {

VideoRow SampleVideo(const std::string& id) {
  VideoRow r;
  r.id = id;
  r.path = "/videos/" + id + ".mp4";
  r.name = "weighing 09-00.mp4";
  r.uploaded = true;
  r.size = 12345;
  r.probe_json = R"({"duration_sec": 10})";
  return r;
}

TEST(VideoCatalog, StoresListsAndDeletesVideos) {
  pw::test::TempDir dir;
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok());
  VideoCatalog& videos = (*store)->videos();
  ASSERT_TRUE(videos.InsertVideo(SampleVideo("aaa"), {1, 2, 3}).ok());
  ASSERT_TRUE(videos.InsertVideo(SampleVideo("bbb"), {4}).ok());
  EXPECT_EQ(videos.InsertVideo(SampleVideo("aaa"), {}).code(), core::Code::kConflict);

  auto got = videos.GetVideo("aaa");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->name, "weighing 09-00.mp4");
  EXPECT_TRUE((*got)->uploaded);
  EXPECT_EQ((*got)->size, 12345);
  EXPECT_EQ((*got)->thumbs_state, "pending");
  EXPECT_FALSE((*got)->created_at.empty());
  EXPECT_EQ(*videos.LoadKeyframes("aaa"), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(videos.ListVideos()->size(), 2u);

  ASSERT_TRUE(videos.SetThumbnailState("aaa", "failed", "unreadable").ok());
  EXPECT_EQ((*videos.GetVideo("aaa"))->thumbs_error, "unreadable");

  ASSERT_TRUE(videos.DeleteVideo("aaa").ok());
  EXPECT_FALSE(videos.GetVideo("aaa")->has_value());
  EXPECT_EQ(videos.DeleteVideo("aaa").code(), core::Code::kNotFound);
  EXPECT_EQ(videos.LoadKeyframes("aaa").status().code(), core::Code::kNotFound);
}

}  // namespace
}  // namespace pw::store
