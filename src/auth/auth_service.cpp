#include "auth/auth_service.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace pw::auth {
namespace {

constexpr std::size_t kMaxSessionsPerUser = 50;  // the oldest goes when a 51st sign-in comes
constexpr int64_t kTokenTouchEveryMs = 60'000;

core::Status CheckUserName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
  });
  if (ok) return core::Status::Ok();
  return core::Status::InvalidArgument("a user name has 1 to 64 letters, digits or . _ - @").WithField("name");
}

core::Result<Role> RoleFrom(const std::string& text) {
  auto role = ParseRole(text);
  if (!role) return core::Status::InvalidArgument("role must be viewer, operator or admin").WithField("role");
  return *role;
}

UserInfo InfoOf(const UserRecord& u) {
  return {u.name, ParseRole(u.role).value_or(Role::kViewer), u.created_utc, u.disabled};
}

TokenInfo InfoOf(const TokenRecord& t) {
  return {t.id, t.name, ParseRole(t.role).value_or(Role::kViewer), t.created_by, t.created_utc, t.last_used_utc,
          t.revoked_utc};
}

}  // namespace

std::string UtcIso(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", tm, static_cast<int>(unix_ms % 1000));
}

AuthService::AuthService(std::unique_ptr<AuthStore> store, AuthOptions options)
    : options_(std::move(options)), store_(std::move(store)),
      failures_(options_.max_failures, options_.failure_window) {}

core::Result<std::unique_ptr<AuthService>> AuthService::Open(const std::filesystem::path& db_file, AuthOptions options) {
  auto store = AuthStore::Open(db_file);
  if (!store.ok()) return store.status();
  std::unique_ptr<AuthService> svc(new AuthService(std::move(store).value(), std::move(options)));
  auto users = svc->store_->Users();
  if (!users.ok()) return users.status();
  for (auto& u : *users) svc->users_[u.name] = std::move(u);
  auto sessions = svc->store_->LiveSessions(svc->NowMs());
  if (!sessions.ok()) return sessions.status();
  for (auto& s : *sessions) svc->sessions_[s.id_hash] = Session{s.user, s.expires_ms};
  auto tokens = svc->store_->Tokens();
  if (!tokens.ok()) return tokens.status();
  for (auto& t : *tokens) svc->tokens_[t.hash] = std::move(t);
  return svc;
}

int64_t AuthService::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void AuthService::Defer(std::function<void()> write) {
  if (options_.defer) return options_.defer(std::move(write));
  write();
}

core::Result<std::optional<std::string>> AuthService::EnsureAdmin(const std::string& password) {
  {
    std::lock_guard lock(mu_);
    if (!users_.empty()) return std::optional<std::string>();
  }
  std::optional<std::string> generated;
  std::string chosen = password;
  if (chosen.empty()) chosen = *(generated = RandomPassword());
  auto created = CreateUser("admin", "admin", chosen);
  if (!created.ok()) return created.status().WithContext("ADMIN_PASSWORD");
  return generated;
}

std::vector<UserInfo> AuthService::ListUsers() const {
  std::lock_guard lock(mu_);
  std::vector<UserInfo> out;
  for (const auto& [name, u] : users_) out.push_back(InfoOf(u));
  std::sort(out.begin(), out.end(), [](const UserInfo& a, const UserInfo& b) { return a.name < b.name; });
  return out;
}

core::Result<UserInfo> AuthService::CreateUser(const std::string& name, const std::string& role,
                                               const std::string& password) {
  PW_RETURN_IF_ERROR(CheckUserName(name));
  auto r = RoleFrom(role);
  if (!r.ok()) return r.status();
  auto hash = HashPassword(password, options_.cost);  // slow: outside the lock
  if (!hash.ok()) return hash.status();
  UserRecord rec{name, std::string(RoleName(*r)), *hash, UtcIso(NowMs()), false};
  std::lock_guard lock(mu_);
  if (users_.count(name)) return core::Status::Conflict("user " + name + " already exists").WithField("name");
  PW_RETURN_IF_ERROR(store_->InsertUser(rec));
  users_[name] = rec;
  return InfoOf(rec);
}

// Refuses a change that would leave no enabled admin (nobody could manage users any more).
core::Status AuthService::CheckLastAdminLocked(const std::string& name, const UserRecord& after) const {
  bool admin_after = after.role == "admin" && !after.disabled;
  if (admin_after) return core::Status::Ok();
  for (const auto& [other, u] : users_) {
    if (other != name && u.role == "admin" && !u.disabled) return core::Status::Ok();
  }
  return core::Status::Conflict(name + " is the last enabled admin: make another user admin first");
}

void AuthService::EndSessionsLocked(const std::string& user) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user == user ? sessions_.erase(it) : std::next(it);
  }
}

int AuthService::RevokeTokensOfLocked(const std::string& creator, std::optional<Role> allowed) {
  const std::string utc = UtcIso(NowMs());
  int revoked = 0;
  for (auto& [digest, t] : tokens_) {
    if (t.created_by != creator || t.revoked_utc) continue;
    if (allowed && ParseRole(t.role).value_or(Role::kAdmin) <= *allowed) continue;
    if (auto st = store_->RevokeToken(t.id, utc); !st.ok()) {
      spdlog::error("auth: token {} ({}) of {} could not be revoked: {}", t.id, t.name, creator, st.message());
      continue;
    }
    t.revoked_utc = utc;
    revoked++;
  }
  if (revoked > 0) spdlog::info("auth: {} API token(s) created by {} revoked with their creator's rights", revoked, creator);
  return revoked;
}

core::Result<UserInfo> AuthService::UpdateUser(const std::string& name, const UserChange& change) {
  std::optional<std::string> new_hash;
  if (change.password) {
    auto hash = HashPassword(*change.password, options_.cost);
    if (!hash.ok()) return hash.status();
    new_hash = *hash;
  }
  std::optional<Role> new_role;
  if (change.role) {
    auto r = RoleFrom(*change.role);
    if (!r.ok()) return r.status();
    new_role = *r;
  }
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  if (it == users_.end()) return core::Status::NotFound("no user " + name);
  UserRecord after = it->second;
  if (new_role) after.role = std::string(RoleName(*new_role));
  if (new_hash) after.password_hash = *new_hash;
  if (change.disabled) after.disabled = *change.disabled;
  PW_RETURN_IF_ERROR(CheckLastAdminLocked(name, after));
  PW_RETURN_IF_ERROR(store_->UpdateUser(after));
  // A new password or a disabled account ends the user's sessions (a stolen cookie stops working).
  if (new_hash || after.disabled) {
    PW_RETURN_IF_ERROR(store_->DeleteSessionsOf(name));
    EndSessionsLocked(name);
  }
  // The tokens a user created never grant more than the user has.
  if (after.disabled) {
    RevokeTokensOfLocked(name, std::nullopt);
  } else if (new_role) {
    RevokeTokensOfLocked(name, *new_role);
  }
  it->second = after;
  return InfoOf(after);
}

core::Status AuthService::DeleteUser(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  if (it == users_.end()) return core::Status::NotFound("no user " + name);
  UserRecord gone = it->second;
  gone.disabled = true;
  PW_RETURN_IF_ERROR(CheckLastAdminLocked(name, gone));
  PW_RETURN_IF_ERROR(store_->DeleteUser(name));
  EndSessionsLocked(name);
  RevokeTokensOfLocked(name, std::nullopt);
  users_.erase(it);
  return core::Status::Ok();
}

AuthService::Login AuthService::SignIn(const std::string& user, const std::string& password,
                                       const std::string& client) {
  Login out;
  const std::string ip_key = "ip:" + client, user_key = "user:" + user;
  int wait = std::max(failures_.RetryAfterSeconds(ip_key), failures_.RetryAfterSeconds(user_key));
  if (wait > 0) {
    out.outcome = Login::Outcome::kLimited;
    out.retry_after_s = wait;
    return out;
  }
  std::optional<UserRecord> rec;
  {
    std::lock_guard lock(mu_);
    if (auto it = users_.find(user); it != users_.end()) rec = it->second;
  }
  bool ok = false;
  if (rec && password.size() <= kMaxPasswordLength) {
    ok = VerifyPassword(password, rec->password_hash) && !rec->disabled;
  } else {
    DummyVerify(password);  // same time as a wrong password: the answer does not reveal names
  }
  if (!ok) {
    failures_.RecordFailure(ip_key);
    failures_.RecordFailure(user_key);
    spdlog::warn("auth: failed sign-in for '{}' from {}", user.substr(0, 64), client);
    return out;
  }
  failures_.Reset(user_key);
  std::string id = RandomHex(32);
  SessionRecord s{DigestSecret(id), user, UtcIso(NowMs()), NowMs() + options_.session_ttl.count()};
  std::lock_guard lock(mu_);
  if (store_->InsertSession(s).ok()) {
    std::vector<std::pair<int64_t, std::string>> mine;
    for (const auto& [h, sess] : sessions_) {
      if (sess.user == user) mine.emplace_back(sess.expires_ms, h);
    }
    if (mine.size() >= kMaxSessionsPerUser) {
      auto oldest = std::min_element(mine.begin(), mine.end())->second;
      sessions_.erase(oldest);
      Defer([store = store_.get(), oldest] { (void)store->DeleteSession(oldest); });
    }
    sessions_[s.id_hash] = Session{user, s.expires_ms};
    out.outcome = Login::Outcome::kOk;
    out.session_id = std::move(id);
    out.principal = {user, ParseRole(rec->role).value_or(Role::kViewer), "session"};
  } else {
    spdlog::error("auth: cannot store a session for '{}'", user);
  }
  return out;
}

void AuthService::SignOut(const std::string& session_id) {
  std::string digest = DigestSecret(session_id);
  std::lock_guard lock(mu_);
  if (sessions_.erase(digest) == 0) return;
  (void)store_->DeleteSession(digest);
}

std::optional<AuthService::SessionCheck> AuthService::CheckSession(const std::string& session_id) {
  if (session_id.empty()) return std::nullopt;
  std::string digest = DigestSecret(session_id);
  int64_t now = NowMs();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  auto user = users_.find(it->second.user);
  if (it->second.expires_ms <= now || user == users_.end() || user->second.disabled) {
    sessions_.erase(it);
    Defer([store = store_.get(), digest] { (void)store->DeleteSession(digest); });
    return std::nullopt;
  }
  SessionCheck out{{user->second.name, ParseRole(user->second.role).value_or(Role::kViewer), "session"}, false};
  // Sliding expiry: renewed once a tenth of the TTL has passed since the last renewal.
  const int64_t ttl = options_.session_ttl.count();
  if (it->second.expires_ms - now < ttl - ttl / 10) {
    it->second.expires_ms = now + ttl;
    out.renewed = true;
    Defer([store = store_.get(), digest, expires = now + ttl] { (void)store->ExtendSession(digest, expires); });
  }
  return out;
}

std::optional<Principal> AuthService::CheckToken(const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::string digest = DigestSecret(token);
  int64_t now = NowMs();
  std::lock_guard lock(mu_);
  auto it = tokens_.find(digest);
  if (it == tokens_.end() || it->second.revoked_utc || !SecretsEqual(it->second.hash, digest)) return std::nullopt;
  TokenRecord& t = it->second;
  int64_t& touched = token_touched_ms_[t.id];
  if (now - touched >= kTokenTouchEveryMs) {
    touched = now;
    t.last_used_utc = UtcIso(now);
    Defer([store = store_.get(), id = t.id, utc = *t.last_used_utc] { (void)store->TouchToken(id, utc); });
  }
  return Principal{"token:" + t.name, ParseRole(t.role).value_or(Role::kViewer), "token"};
}

core::Result<AuthService::NewToken> AuthService::CreateToken(const std::string& name, const std::string& role,
                                                             const std::string& created_by) {
  if (name.empty() || name.size() > 100) {
    return core::Status::InvalidArgument("a token needs a name of 1 to 100 characters (what uses it)").WithField("name");
  }
  auto r = RoleFrom(role);
  if (!r.ok()) return r.status();
  NewToken out;
  out.token = "pwt_" + RandomHex(32);
  TokenRecord rec{0, name, std::string(RoleName(*r)), DigestSecret(out.token), created_by, UtcIso(NowMs()),
                  std::nullopt, std::nullopt};
  std::lock_guard lock(mu_);
  auto id = store_->InsertToken(rec);
  if (!id.ok()) return id.status();
  rec.id = *id;
  tokens_[rec.hash] = rec;
  out.info = InfoOf(rec);
  return out;
}

std::vector<TokenInfo> AuthService::ListTokens() const {
  std::lock_guard lock(mu_);
  std::vector<TokenInfo> out;
  for (const auto& [h, t] : tokens_) out.push_back(InfoOf(t));
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) { return a.id < b.id; });
  return out;
}

core::Status AuthService::RevokeToken(int64_t id) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(tokens_.begin(), tokens_.end(), [id](const auto& kv) { return kv.second.id == id; });
  if (it == tokens_.end()) return core::Status::NotFound("no token " + std::to_string(id));
  if (it->second.revoked_utc) return core::Status::Ok();
  std::string utc = UtcIso(NowMs());
  PW_RETURN_IF_ERROR(store_->RevokeToken(id, utc));
  it->second.revoked_utc = utc;
  return core::Status::Ok();
}

}  // namespace pw::auth
