#include "auth/auth_store.h"

#include <functional>

namespace pw::auth {
namespace {

std::optional<std::string> OptText(const store::Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return s.Text(col);
}

}  // namespace

core::Result<std::unique_ptr<AuthStore>> AuthStore::Open(const std::filesystem::path& db_file) {
  auto db = store::Db::Open(db_file);
  if (!db.ok()) return db.status();
  auto check = db->Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'");
  if (!check.ok()) return check.status();
  auto row = check->Step();
  if (!row.ok()) return row.status();
  if (check->Int(0) == 0) {
    return core::Status::Unavailable("the database " + db_file.string() +
                                     " has no users table (open the store first: it applies the migrations)");
  }
  return std::unique_ptr<AuthStore>(new AuthStore(std::move(db).value()));
}

core::Status AuthStore::RunBound(std::string_view sql, const std::function<void(store::Stmt&)>& bind) {
  std::lock_guard lock(mu_);
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  bind(*stmt);
  return stmt->Run();
}

core::Result<std::vector<UserRecord>> AuthStore::Users() {
  std::lock_guard lock(mu_);
  auto stmt = db_.Prepare("SELECT name, role, password_hash, created_utc, disabled FROM users ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  return store::CollectRows(*stmt, [](const store::Stmt& s) {
    return UserRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) != 0};
  });
}

core::Status AuthStore::InsertUser(const UserRecord& u) {
  core::Status st = RunBound(
      "INSERT INTO users(name, role, password_hash, created_utc, disabled) VALUES (?,?,?,?,?)",
      [&](store::Stmt& s) {
        s.Bind(1, u.name).Bind(2, u.role).Bind(3, u.password_hash).Bind(4, u.created_utc);
        s.Bind(5, int64_t{u.disabled});
      });
  if (st.code() == core::Code::kConflict) return core::Status::Conflict("user " + u.name + " already exists");
  return st;
}

core::Status AuthStore::UpdateUser(const UserRecord& u) {
  return RunBound("UPDATE users SET role = ?, password_hash = ?, disabled = ? WHERE name = ?", [&](store::Stmt& s) {
    s.Bind(1, u.role).Bind(2, u.password_hash).Bind(3, int64_t{u.disabled}).Bind(4, u.name);
  });
}

core::Status AuthStore::DeleteUser(const std::string& name) {
  return RunBound("DELETE FROM users WHERE name = ?", [&](store::Stmt& s) { s.Bind(1, name); });
}

core::Result<std::vector<SessionRecord>> AuthStore::LiveSessions(int64_t now_ms) {
  PW_RETURN_IF_ERROR(RunBound("DELETE FROM sessions WHERE expires_ms <= ?", [&](store::Stmt& s) { s.Bind(1, now_ms); }));
  std::lock_guard lock(mu_);
  auto stmt = db_.Prepare("SELECT id_hash, user, created_utc, expires_ms FROM sessions");
  if (!stmt.ok()) return stmt.status();
  return store::CollectRows(*stmt, [](const store::Stmt& s) {
    return SessionRecord{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
  });
}

core::Status AuthStore::InsertSession(const SessionRecord& r) {
  return RunBound("INSERT INTO sessions(id_hash, user, created_utc, expires_ms) VALUES (?,?,?,?)",
                  [&](store::Stmt& s) { s.Bind(1, r.id_hash).Bind(2, r.user).Bind(3, r.created_utc).Bind(4, r.expires_ms); });
}

core::Status AuthStore::ExtendSession(const std::string& id_hash, int64_t expires_ms) {
  return RunBound("UPDATE sessions SET expires_ms = ? WHERE id_hash = ?",
                  [&](store::Stmt& s) { s.Bind(1, expires_ms).Bind(2, id_hash); });
}

core::Status AuthStore::DeleteSession(const std::string& id_hash) {
  return RunBound("DELETE FROM sessions WHERE id_hash = ?", [&](store::Stmt& s) { s.Bind(1, id_hash); });
}

core::Status AuthStore::DeleteSessionsOf(const std::string& user) {
  return RunBound("DELETE FROM sessions WHERE user = ?", [&](store::Stmt& s) { s.Bind(1, user); });
}

core::Result<std::vector<TokenRecord>> AuthStore::Tokens() {
  std::lock_guard lock(mu_);
  auto stmt = db_.Prepare(
      "SELECT id, name, role, hash, created_by, created_utc, last_used_utc, revoked_utc FROM api_tokens ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  return store::CollectRows(*stmt, [](const store::Stmt& s) {
    return TokenRecord{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), OptText(s, 6), OptText(s, 7)};
  });
}

core::Result<int64_t> AuthStore::InsertToken(const TokenRecord& t) {
  std::lock_guard lock(mu_);
  auto stmt = db_.Prepare("INSERT INTO api_tokens(name, role, hash, created_by, created_utc) VALUES (?,?,?,?,?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, t.name).Bind(2, t.role).Bind(3, t.hash).Bind(4, t.created_by).Bind(5, t.created_utc);
  PW_RETURN_IF_ERROR(stmt->Run());
  return db_.LastInsertId();
}

core::Status AuthStore::RevokeToken(int64_t id, const std::string& utc) {
  return RunBound("UPDATE api_tokens SET revoked_utc = ? WHERE id = ? AND revoked_utc IS NULL",
                  [&](store::Stmt& s) { s.Bind(1, utc).Bind(2, id); });
}

core::Status AuthStore::TouchToken(int64_t id, const std::string& utc) {
  return RunBound("UPDATE api_tokens SET last_used_utc = ? WHERE id = ?",
                  [&](store::Stmt& s) { s.Bind(1, utc).Bind(2, id); });
}

}  // namespace pw::auth
