// Thin RAII layer over SQLite: a connection (Db) and prepared statements (Stmt).
//
// Errors come back as core::Status (kInternal with SQLite's message, kConflict on constraint
// violations, kBusy when the busy timeout expires). A Db is used by one thread at a time; callers
// that share one serialise through their own mutex (SqliteStore does).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pw::store {

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}

  // Binders take 1-based positions, like SQLite.
  Stmt& Bind(int pos, int64_t v);
  Stmt& Bind(int pos, double v);
  Stmt& Bind(int pos, std::string_view v);
  Stmt& BindBlob(int pos, const void* data, std::size_t size);
  Stmt& BindNull(int pos);

  // Advances: true with a row, false when done; errors as Status.
  core::Result<bool> Step();
  // Runs to completion (for statements without rows).
  core::Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  double Real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  std::string Text(int col) const;
  std::vector<uint8_t> Blob(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  sqlite3_stmt* raw() const { return stmt_.get(); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class Db {
 public:
  // Opens (creating) the database file with WAL, foreign keys and a busy timeout.
  static core::Result<Db> Open(const std::filesystem::path& path);

  core::Status Exec(std::string_view sql);  // one or more statements without results
  core::Result<Stmt> Prepare(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_.get()); }
  sqlite3* raw() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

// One write transaction (BEGIN IMMEDIATE): Commit() makes it durable; destroyed uncommitted, it
// rolls back. Use it under the lock that serialises the connection.
class Transaction {
 public:
  static core::Result<Transaction> Begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  core::Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

// Steps `stmt` through its result rows and collects read(stmt) of each (an error stops it).
template <typename Read>
auto CollectRows(Stmt& stmt, Read read) -> core::Result<std::vector<decltype(read(stmt))>> {
  std::vector<decltype(read(stmt))> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

// Maps an SQLite result code (with the connection's message) to a Status.
core::Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace pw::store
