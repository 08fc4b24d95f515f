#include <spdlog/spdlog.h>

#include <mutex>
#include <system_error>

#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace pw::store {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(Db db, std::filesystem::path path, int version)
      : db_(std::move(db)), path_(std::move(path)), version_(version) {}

  std::string backend() const override { return "sqlite"; }
  std::string location() const override { return path_.string(); }
  int schema_version() const override { return version_; }

  core::Status Check() override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("SELECT count(*) FROM meta");
    if (!stmt.ok()) return stmt.status();
    auto row = stmt->Step();
    return row.ok() ? core::Status::Ok() : row.status();
  }

 private:
  std::mutex mu_;
  Db db_;
  std::filesystem::path path_;
  int version_;
};

core::Result<int> CurrentVersion(Db& db) {
  PW_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at TEXT NOT NULL)"));
  auto stmt = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(stmt->Int(0));
}

// Applies each pending migration in its own transaction: a crash leaves the schema at a whole version.
core::Result<int> Migrate(Db& db) {
  auto current = CurrentVersion(db);
  if (!current.ok()) return current.status();
  const auto& migrations = SqliteMigrations();
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > known) {
    return core::Status::Conflict("database schema version " + std::to_string(*current) +
                                  " is newer than this PigWeight understands (" +
                                  std::to_string(known) + "): upgrade PigWeight or restore a backup");
  }
  for (const auto& m : migrations) {
    if (m.version <= *current) continue;
    PW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    core::Status st = db.Exec(m.sql);
    if (st.ok()) {
      auto ins = db.Prepare(
          "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, "
          "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
      st = ins.ok() ? ins->Bind(1, int64_t{m.version}).Bind(2, m.name).Run() : ins.status();
    }
    if (!st.ok()) {
      (void)db.Exec("ROLLBACK");
      return st.WithContext("migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")");
    }
    PW_RETURN_IF_ERROR(db.Exec("COMMIT"));
    spdlog::info("store: applied migration {} ({})", m.version, m.name);
  }
  return known;
}

}  // namespace

core::Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return core::Status::Unavailable("cannot create data directory " + data_dir.string() + ": " +
                                     ec.message());
  }
  auto path = data_dir / "pigweight.db";
  auto db = Db::Open(path);
  if (!db.ok()) return db.status();
  auto version = Migrate(*db);
  if (!version.ok()) return version.status().WithContext(path.string());
  return std::unique_ptr<Store>(new SqliteStore(std::move(db).value(), path, *version));
}

}  // namespace pw::store
