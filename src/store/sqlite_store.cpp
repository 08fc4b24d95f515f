#include <spdlog/spdlog.h>

#include <mutex>
#include <system_error>

#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/sqlite_count_index.h"
#include "store/sqlite_journal.h"
#include "store/store.h"

namespace pw::store {
namespace {

constexpr std::string_view kSelectVideo =
    "SELECT id, path, name, uploaded, size, probe, created_at, thumbs_state, thumbs_error FROM videos";

VideoRow ReadVideo(const Stmt& s) {
  VideoRow r;
  r.id = s.Text(0);
  r.path = s.Text(1);
  r.name = s.Text(2);
  r.uploaded = s.Int(3) != 0;
  r.size = s.Int(4);
  r.probe_json = s.Text(5);
  r.created_at = s.Text(6);
  r.thumbs_state = s.Text(7);
  r.thumbs_error = s.Text(8);
  return r;
}

class SqliteStore final : public Store, public VideoCatalog {
 public:
  SqliteStore(Db db, std::filesystem::path path, int version)
      : db_(std::move(db)), path_(std::move(path)), version_(version),
        journal_(MakeSqliteJournal(db_, mu_)),
        count_indexes_(MakeSqliteCountIndexStore(db_, mu_)) {}

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

  VideoCatalog& videos() override { return *this; }
  Journal& journal() override { return *journal_; }
  CountIndexStore& count_indexes() override { return *count_indexes_; }

  core::Status InsertVideo(const VideoRow& r, const std::vector<uint8_t>& keyframes) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(
        "INSERT INTO videos(id, path, name, uploaded, size, probe, keyframes, thumbs_state, "
        "thumbs_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, r.id).Bind(2, r.path).Bind(3, r.name).Bind(4, int64_t{r.uploaded}).Bind(5, r.size);
    stmt->Bind(6, r.probe_json).BindBlob(7, keyframes.data(), keyframes.size());
    stmt->Bind(8, r.thumbs_state).Bind(9, r.thumbs_error);
    core::Status st = stmt->Run();
    if (st.code() == core::Code::kConflict) return core::Status::Conflict("video " + r.id + " is already registered");
    return st;
  }

  core::Result<std::optional<VideoRow>> GetVideo(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(std::string(kSelectVideo) + " WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<VideoRow>();
    return std::optional<VideoRow>(ReadVideo(*stmt));
  }

  core::Result<std::vector<VideoRow>> ListVideos() override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare(std::string(kSelectVideo) + " ORDER BY created_at DESC, id");
    if (!stmt.ok()) return stmt.status();
    return CollectRows(*stmt, ReadVideo);
  }

  core::Result<std::vector<uint8_t>> LoadKeyframes(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("SELECT keyframes FROM videos WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return core::Status::NotFound("no video " + id);
    return stmt->Blob(0);
  }

  core::Status SetThumbnailState(const std::string& id, const std::string& state,
                                 const std::string& error) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("UPDATE videos SET thumbs_state = ?, thumbs_error = ? WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    return stmt->Bind(1, state).Bind(2, error).Bind(3, id).Run();
  }

  core::Status DeleteVideo(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto stmt = db_.Prepare("DELETE FROM videos WHERE id = ?");
    if (!stmt.ok()) return stmt.status();
    PW_RETURN_IF_ERROR(stmt->Bind(1, id).Run());
    if (sqlite3_changes(db_.raw()) == 0) return core::Status::NotFound("no video " + id);
    return core::Status::Ok();
  }

 private:
  std::mutex mu_;
  Db db_;
  std::filesystem::path path_;
  int version_;
  std::unique_ptr<Journal> journal_;                // shares db_ and mu_
  std::unique_ptr<CountIndexStore> count_indexes_;  // shares db_ and mu_
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
