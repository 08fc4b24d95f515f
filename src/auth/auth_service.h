// AuthService: local users, browser sessions and API tokens, and who a request's credentials
// belong to.
//
// - Users have a name, a role (see role.h), an Argon2id password hash and may be disabled (their
//   sessions end at once). The first start creates "admin" (EnsureAdmin).
// - Login() checks a password (slow on purpose: call it off the network threads) under a rate
//   limit per client address and per user name, and opens a session: a 256-bit random id handed
//   to the browser once, stored only as a digest, valid for the session TTL and pushed forward
//   (sliding) while it is used.
// - API tokens (for machines) carry their own role, are shown once at creation, stored as a digest,
//   and can be revoked; last use is recorded (at most once a minute per token).
// - CheckSession()/CheckToken() answer from memory (no disk read), so the HTTP gate can call them on
//   the network threads; the few writes they cause (session renewal, token last use) go through
//   `defer` (a worker pool in the server; inline by default).
//
// Thread-safety: all methods may be called from any thread.
// Errors: Status with a message for the person at the admin screen (kInvalidArgument naming the
// field, kNotFound, kConflict for duplicates or for removing the last admin).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/auth_store.h"
#include "auth/rate_limiter.h"
#include "auth/role.h"
#include "auth/secrets.h"
#include "core/status.h"

namespace pw::auth {

struct Principal {
  std::string user;  // user name, or "token:<name>" for API tokens
  Role role = Role::kViewer;
  std::string via;   // "session" or "token"
};

struct UserInfo {
  std::string name;
  Role role = Role::kViewer;
  std::string created_utc;
  bool disabled = false;
};

struct TokenInfo {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
  std::string created_by;
  std::string created_utc;
  std::optional<std::string> last_used_utc;
  std::optional<std::string> revoked_utc;
};

struct AuthOptions {
  std::chrono::milliseconds session_ttl = std::chrono::hours(12);
  HashCost cost = HashCost::Interactive();
  int max_failures = 5;                       // per window, per client address and per user
  std::chrono::seconds failure_window{60};
  std::function<int64_t()> now_ms;            // Unix time in ms; empty: the system clock
  std::function<void(std::function<void()>)> defer;  // runs small writes; empty: inline
};

class AuthService {
 public:
  static core::Result<std::unique_ptr<AuthService>> Open(const std::filesystem::path& db_file, AuthOptions options);

  // When no user exists, creates "admin" with `password` (empty: a random one). Returns the
  // password it generated (to be shown once), nullopt when it generated none.
  core::Result<std::optional<std::string>> EnsureAdmin(const std::string& password);

  std::vector<UserInfo> ListUsers() const;
  core::Result<UserInfo> CreateUser(const std::string& name, const std::string& role, const std::string& password);
  struct UserChange {
    std::optional<std::string> role;
    std::optional<std::string> password;
    std::optional<bool> disabled;
  };
  core::Result<UserInfo> UpdateUser(const std::string& name, const UserChange& change);
  core::Status DeleteUser(const std::string& name);

  struct Login {
    enum class Outcome { kOk, kRejected, kLimited } outcome = Outcome::kRejected;
    std::string session_id;   // kOk: the secret for the cookie
    Principal principal;      // kOk
    int retry_after_s = 0;    // kLimited
  };
  // Slow (Argon2): never on a network thread. `client` is the caller's address (rate limit).
  Login SignIn(const std::string& user, const std::string& password, const std::string& client);
  void SignOut(const std::string& session_id);

  struct SessionCheck {
    Principal principal;
    bool renewed = false;  // the expiry moved forward: send the cookie again
  };
  std::optional<SessionCheck> CheckSession(const std::string& session_id);
  std::optional<Principal> CheckToken(const std::string& token);

  struct NewToken {
    TokenInfo info;
    std::string token;  // the secret: shown once
  };
  core::Result<NewToken> CreateToken(const std::string& name, const std::string& role, const std::string& created_by);
  std::vector<TokenInfo> ListTokens() const;
  core::Status RevokeToken(int64_t id);

  std::chrono::milliseconds session_ttl() const { return options_.session_ttl; }

 private:
  struct Session {
    std::string user;
    int64_t expires_ms;
  };
  AuthService(std::unique_ptr<AuthStore> store, AuthOptions options);
  int64_t NowMs() const;
  void Defer(std::function<void()> write);
  core::Status CheckLastAdminLocked(const std::string& name, const UserRecord& after) const;
  void EndSessionsLocked(const std::string& user);
  // Revokes the tokens `creator` made whose role is above `allowed` (nullopt: all); returns how many.
  int RevokeTokensOfLocked(const std::string& creator, std::optional<Role> allowed);

  AuthOptions options_;
  std::unique_ptr<AuthStore> store_;
  RateLimiter failures_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, UserRecord> users_;       // by name
  std::unordered_map<std::string, Session> sessions_;       // by digest of the id
  std::unordered_map<std::string, TokenRecord> tokens_;     // by digest of the token
  std::unordered_map<int64_t, int64_t> token_touched_ms_;   // id -> last recorded use
};

// Utc ISO 8601 of a Unix time in ms ("2026-11-29T06:12:03.250Z").
std::string UtcIso(int64_t unix_ms);

}  // namespace pw::auth
