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
