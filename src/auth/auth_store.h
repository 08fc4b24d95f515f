// AuthStore: the users, sessions and API tokens tables (schema v5 of the SQLite store) behind the
// AuthService. It opens its own connection to DATA_DIR/pigweight.db, which the store has already
// brought up to date; every call is one statement or transaction (durable when it returns OK).
//
// Only digests of session ids and tokens are stored, never the secrets themselves.
// Thread-safe (calls are serialised on the connection).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sqlite.h"

namespace pw::auth {

struct UserRecord {
  std::string name;
  std::string role;           // viewer, operator, admin
  std::string password_hash;  // crypto_pwhash_str
  std::string created_utc;
  bool disabled = false;
};

struct SessionRecord {
  std::string id_hash;
  std::string user;
  std::string created_utc;
  int64_t expires_ms = 0;  // Unix time
};

struct TokenRecord {
  int64_t id = 0;
  std::string name;
  std::string role;
  std::string hash;
  std::string created_by;
  std::string created_utc;
  std::optional<std::string> last_used_utc;
  std::optional<std::string> revoked_utc;
};

class AuthStore {
 public:
  // kUnavailable when the database lacks the auth tables (open the store first: it migrates).
  static core::Result<std::unique_ptr<AuthStore>> Open(const std::filesystem::path& db_file);

  core::Result<std::vector<UserRecord>> Users();
  core::Status InsertUser(const UserRecord& user);  // kConflict when the name is taken
  core::Status UpdateUser(const UserRecord& user);  // by name
  core::Status DeleteUser(const std::string& name); // and the user's sessions

  // Sessions still valid at `now_ms`; expired ones are deleted.
  core::Result<std::vector<SessionRecord>> LiveSessions(int64_t now_ms);
  core::Status InsertSession(const SessionRecord& session);
  core::Status ExtendSession(const std::string& id_hash, int64_t expires_ms);
  core::Status DeleteSession(const std::string& id_hash);
  core::Status DeleteSessionsOf(const std::string& user);

  core::Result<std::vector<TokenRecord>> Tokens();
  core::Result<int64_t> InsertToken(const TokenRecord& token);  // → its id
  core::Status RevokeToken(int64_t id, const std::string& utc);
  core::Status TouchToken(int64_t id, const std::string& utc);

 private:
  explicit AuthStore(store::Db db) : db_(std::move(db)) {}
  core::Status RunBound(std::string_view sql, const std::function<void(store::Stmt&)>& bind);

  std::mutex mu_;
  store::Db db_;
};

}  // namespace pw::auth
