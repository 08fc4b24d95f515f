#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/unique_fd.h"

namespace pw::store {
namespace {

namespace fs = std::filesystem;
using core::Status;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

core::Result<DbPtr> OpenDb(const fs::path& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return Status::Unavailable("cannot open " + path.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

core::Result<long long> Scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("backup check: ") + sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return Status::Internal(std::string("backup check: ") + sqlite3_errmsg(db));
  return static_cast<long long>(sqlite3_column_int64(stmt.get(), 0));
}

Status FsyncPath(const fs::path& path, int flags) {
  core::UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return Status::Unavailable("cannot fsync " + path.string());
  return Status::Ok();
}

}  // namespace

core::Result<BackupInfo> BackupDatabase(const fs::path& data_dir, const fs::path& out) {
  const fs::path source = data_dir / "pigweight.db";
  std::error_code ec;
  if (!fs::exists(source, ec)) return Status::NotFound("no database at " + source.string());
  const fs::path tmp = out.string() + ".partial";
  fs::remove(tmp, ec);
  {
    auto src = OpenDb(source, SQLITE_OPEN_READONLY);
    if (!src.ok()) return src.status();
    auto dst = OpenDb(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!dst.ok()) return dst.status();
    sqlite3_backup* backup = sqlite3_backup_init(dst->get(), "main", src->get(), "main");
    if (backup == nullptr) return Status::Internal(std::string("cannot start the backup: ") + sqlite3_errmsg(dst->get()));
    // All pages in one step: a consistent snapshot (a step-wise copy restarts when a writer commits
    // in between, which on a busy journal could go on for long).
    int rc = sqlite3_backup_step(backup, -1);
    while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      sqlite3_sleep(50);
      rc = sqlite3_backup_step(backup, -1);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      fs::remove(tmp, ec);
      return Status::Unavailable(std::string("the backup failed: ") + sqlite3_errstr(rc));
    }
    // The copy is a plain rollback-journal database file: no -wal beside it is needed to read it.
    sqlite3_exec(dst->get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  }
  BackupInfo info;
  {
    auto copy = OpenDb(tmp, SQLITE_OPEN_READONLY);
    if (!copy.ok()) return copy.status();
    sqlite3_stmt* raw = nullptr;
    std::string integrity = "no answer";
    if (sqlite3_prepare_v2(copy->get(), "PRAGMA integrity_check", -1, &raw, nullptr) == SQLITE_OK) {
      if (sqlite3_step(raw) == SQLITE_ROW) integrity = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
      sqlite3_finalize(raw);
    }
    if (integrity != "ok") {
      fs::remove(tmp, ec);
      return Status::Internal("the backup copy failed its integrity check: " + integrity);
    }
    auto version = Scalar(copy->get(), "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!version.ok()) return version.status();
    info.schema_version = static_cast<int>(*version);
    if (auto n = Scalar(copy->get(), "SELECT count(*) FROM sqlite_master WHERE name='weighings'"); n.ok() && *n) {
      if (auto w = Scalar(copy->get(), "SELECT count(*) FROM weighings"); w.ok()) info.weighings = *w;
    }
    if (auto n = Scalar(copy->get(), "SELECT count(*) FROM sqlite_master WHERE name='videos'"); n.ok() && *n) {
      if (auto v = Scalar(copy->get(), "SELECT count(*) FROM videos"); v.ok()) info.videos = *v;
    }
  }
  PW_RETURN_IF_ERROR(FsyncPath(tmp, O_RDONLY));
  fs::rename(tmp, out, ec);
  if (ec) return Status::Unavailable("cannot write " + out.string() + ": " + ec.message());
  PW_RETURN_IF_ERROR(FsyncPath(out.parent_path().empty() ? fs::path(".") : out.parent_path(), O_RDONLY | O_DIRECTORY));
  info.file = out;
  info.bytes = fs::file_size(out, ec);
  return info;
}

}  // namespace pw::store
