#include "store/sqlite.h"

namespace pw::store {

core::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return core::Status::Conflict(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return core::Status::Busy(msg);
    case SQLITE_FULL: return core::Status::Unavailable(msg + " (disk full)");
    default: return core::Status::Internal(msg);
  }
}

Stmt& Stmt::Bind(int pos, int64_t v) {
  sqlite3_bind_int64(stmt_.get(), pos, v);
  return *this;
}
Stmt& Stmt::Bind(int pos, double v) {
  sqlite3_bind_double(stmt_.get(), pos, v);
  return *this;
}
Stmt& Stmt::Bind(int pos, std::string_view v) {
  sqlite3_bind_text(stmt_.get(), pos, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(int pos, const void* data, std::size_t size) {
  sqlite3_bind_blob64(stmt_.get(), pos, data, size, SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int pos) {
  sqlite3_bind_null(stmt_.get(), pos);
  return *this;
}

core::Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt_.get()), rc, "sqlite step");
}

core::Status Stmt::Run() {
  for (;;) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return core::Status::Ok();
  }
}

void Stmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Stmt::Text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  return p ? std::string(p, sqlite3_column_bytes(stmt_.get(), col)) : std::string();
}

std::vector<uint8_t> Stmt::Blob(int col) const {
  auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_.get(), col));
  return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_.get(), col))
           : std::vector<uint8_t>();
}

core::Result<Db> Db::Open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  Db db;
  db.db_.reset(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "cannot open database " + path.string());
  sqlite3_busy_timeout(raw, 5000);
  // WAL: readers never block the writer; synchronous=FULL: an acknowledged commit survives power loss.
  PW_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

core::Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(nullptr, rc, "sqlite exec: " + msg);
  }
  return core::Status::Ok();
}

core::Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "sqlite prepare");
  return Stmt(s);
}

core::Result<Transaction> Transaction::Begin(Db& db) {
  PW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

core::Status Transaction::Commit() {
  Db* db = std::exchange(db_, nullptr);
  core::Status st = db->Exec("COMMIT");
  if (!st.ok()) (void)db->Exec("ROLLBACK");
  return st;
}

}  // namespace pw::store
