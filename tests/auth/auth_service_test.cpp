#include <gtest/gtest.h>

#include <atomic>

#include "auth/auth_service.h"
#include "store/store.h"
#include "support/test_support.h"

namespace pw::auth {
namespace {

using Outcome = AuthService::Login::Outcome;

// A service on a real SQLite store in a temp dir, with a clock the test moves.
class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Reopen();
  }
  void Reopen() {
    service_.reset();
    AuthOptions o;
    o.session_ttl = std::chrono::minutes(10);
    o.cost = HashCost::Minimal();
    o.now_ms = [this] { return now_ms_.load(); };
    auto s = AuthService::Open(dir_ / "pigweight.db", o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    service_ = std::move(s).value();
  }
  void Advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }
  AuthService& svc() { return *service_; }

  test::TempDir dir_;
  std::atomic<int64_t> now_ms_{1'800'000'000'000};
  std::unique_ptr<AuthService> service_;
};

TEST_F(AuthServiceTest, FirstStartGeneratesAnAdminPasswordOnceAndNeverAgain) {
  auto first = svc().EnsureAdmin("");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto login = svc().SignIn("admin", **first, "10.0.0.1");
  EXPECT_EQ(login.outcome, Outcome::kOk);
  EXPECT_EQ(login.principal.role, Role::kAdmin);
  Reopen();
  auto second = svc().EnsureAdmin("");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value()) << "users exist: no new admin, no password printed";
}

TEST_F(AuthServiceTest, FirstAdminTakesTheConfiguredPasswordAndRefusesAShortOne) {
  auto weak = svc().EnsureAdmin("short");
  ASSERT_FALSE(weak.ok());
  EXPECT_NE(weak.status().message().find("ADMIN_PASSWORD"), std::string::npos) << weak.status().message();
  auto made = svc().EnsureAdmin("farm-admin-2026");
  ASSERT_TRUE(made.ok());
  EXPECT_FALSE(made->has_value());
  EXPECT_EQ(svc().SignIn("admin", "farm-admin-2026", "c").outcome, Outcome::kOk);
}

TEST_F(AuthServiceTest, SessionExpiresAfterTheTtlWithoutUse) {
  ASSERT_TRUE(svc().CreateUser("vera", "viewer", "viewer-pass-1").ok());
  auto login = svc().SignIn("vera", "viewer-pass-1", "c");
  ASSERT_EQ(login.outcome, Outcome::kOk);
  auto check = svc().CheckSession(login.session_id);
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->principal.user, "vera");
  EXPECT_EQ(check->principal.role, Role::kViewer);
  Advance(std::chrono::minutes(10));
  EXPECT_FALSE(svc().CheckSession(login.session_id).has_value());
  EXPECT_FALSE(svc().CheckSession("not-a-session").has_value());
}

TEST_F(AuthServiceTest, UsingASessionSlidesItsExpiry) {
  ASSERT_TRUE(svc().CreateUser("olga", "operator", "operator-pass").ok());
  auto login = svc().SignIn("olga", "operator-pass", "c");
  Advance(std::chrono::minutes(6));
  auto check = svc().CheckSession(login.session_id);
  ASSERT_TRUE(check.has_value());
  EXPECT_TRUE(check->renewed) << "more than a tenth of the TTL passed: renewed (cookie sent again)";
  Advance(std::chrono::minutes(6));  // 12 min after sign-in, 6 after the last use
  ASSERT_TRUE(svc().CheckSession(login.session_id).has_value());
}

TEST_F(AuthServiceTest, SessionsSurviveARestartAndSignOutEndsThem) {
  ASSERT_TRUE(svc().CreateUser("olga", "operator", "operator-pass").ok());
  auto login = svc().SignIn("olga", "operator-pass", "c");
  Reopen();
  ASSERT_TRUE(svc().CheckSession(login.session_id).has_value());
  svc().SignOut(login.session_id);
  EXPECT_FALSE(svc().CheckSession(login.session_id).has_value());
  Reopen();
  EXPECT_FALSE(svc().CheckSession(login.session_id).has_value());
}

TEST_F(AuthServiceTest, WrongPasswordsAreLimitedPerUserAndPerClient) {
  ASSERT_TRUE(svc().CreateUser("vera", "viewer", "viewer-pass-1").ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(svc().SignIn("vera", "wrong-password", "10.0.0.9").outcome, Outcome::kRejected);
  auto limited = svc().SignIn("vera", "viewer-pass-1", "10.0.0.7");
  EXPECT_EQ(limited.outcome, Outcome::kLimited) << "the user is limited even from another address";
  EXPECT_GT(limited.retry_after_s, 0);
  EXPECT_LE(limited.retry_after_s, 60);
  ASSERT_TRUE(svc().CreateUser("olga", "operator", "operator-pass").ok());
  EXPECT_EQ(svc().SignIn("olga", "operator-pass", "10.0.0.9").outcome, Outcome::kLimited)
      << "the client address is limited for every user";
  EXPECT_EQ(svc().SignIn("olga", "operator-pass", "10.0.0.8").outcome, Outcome::kOk);
}

TEST_F(AuthServiceTest, DisablingAUserOrChangingThePasswordEndsTheirSessions) {
  ASSERT_TRUE(svc().CreateUser("vera", "viewer", "viewer-pass-1").ok());
  ASSERT_TRUE(svc().CreateUser("boss", "admin", "admin-pass-01").ok());
  auto a = svc().SignIn("vera", "viewer-pass-1", "c");
  ASSERT_TRUE(svc().UpdateUser("vera", {.role = std::nullopt, .password = "viewer-pass-2", .disabled = std::nullopt}).ok());
  EXPECT_FALSE(svc().CheckSession(a.session_id).has_value());
  EXPECT_EQ(svc().SignIn("vera", "viewer-pass-1", "c").outcome, Outcome::kRejected);
  auto b = svc().SignIn("vera", "viewer-pass-2", "c");
  ASSERT_EQ(b.outcome, Outcome::kOk);
  ASSERT_TRUE(svc().UpdateUser("vera", {.role = "operator", .password = std::nullopt, .disabled = std::nullopt}).ok());
  EXPECT_EQ(svc().CheckSession(b.session_id)->principal.role, Role::kOperator) << "a role change applies at once";
  ASSERT_TRUE(svc().UpdateUser("vera", {.role = std::nullopt, .password = std::nullopt, .disabled = true}).ok());
  EXPECT_FALSE(svc().CheckSession(b.session_id).has_value());
  EXPECT_EQ(svc().SignIn("vera", "viewer-pass-2", "d").outcome, Outcome::kRejected);
}

TEST_F(AuthServiceTest, TheLastEnabledAdminCannotBeRemovedOrDemoted) {
  ASSERT_TRUE(svc().CreateUser("boss", "admin", "admin-pass-01").ok());
  auto demote = svc().UpdateUser("boss", {.role = "viewer", .password = std::nullopt, .disabled = std::nullopt});
  EXPECT_EQ(demote.status().code(), core::Code::kConflict);
  EXPECT_EQ(svc().DeleteUser("boss").code(), core::Code::kConflict);
  ASSERT_TRUE(svc().CreateUser("boss2", "admin", "admin-pass-02").ok());
  EXPECT_TRUE(svc().DeleteUser("boss").ok());
  EXPECT_EQ(svc().DeleteUser("boss").code(), core::Code::kNotFound);
}

TEST_F(AuthServiceTest, RejectsBadNamesRolesAndDuplicates) {
  EXPECT_EQ(svc().CreateUser("bad name", "viewer", "0123456789").status().field(), "name");
  EXPECT_EQ(svc().CreateUser("ok", "root", "0123456789").status().field(), "role");
  EXPECT_EQ(svc().CreateUser("ok", "viewer", "short").status().field(), "password");
  ASSERT_TRUE(svc().CreateUser("ok", "viewer", "0123456789").ok());
  EXPECT_EQ(svc().CreateUser("ok", "viewer", "0123456789").status().code(), core::Code::kConflict);
}

TEST_F(AuthServiceTest, UnknownUsersAreRejectedLikeWrongPasswords) {
  EXPECT_EQ(svc().SignIn("nobody", "whatever-password", "c").outcome, Outcome::kRejected);
}

TEST_F(AuthServiceTest, TokensWorkUntilRevokedAndAreStoredOnlyAsDigests) {
  auto t = svc().CreateToken("scale-bridge", "operator", "admin");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token.rfind("pwt_", 0), 0u);
  auto who = svc().CheckToken(t->token);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->role, Role::kOperator);
  EXPECT_EQ(who->user, "token:scale-bridge");
  EXPECT_EQ(who->via, "token");
  EXPECT_FALSE(svc().CheckToken(t->token + "x").has_value());
  EXPECT_TRUE(svc().ListTokens().at(0).last_used_utc.has_value());
  std::string db = test::ReadFile(dir_ / "pigweight.db") + test::ReadFile(dir_ / "pigweight.db-wal");
  EXPECT_EQ(db.find(t->token.substr(4)), std::string::npos) << "the token itself is never stored";

  ASSERT_TRUE(svc().RevokeToken(t->info.id).ok());
  EXPECT_FALSE(svc().CheckToken(t->token).has_value());
  Reopen();
  EXPECT_FALSE(svc().CheckToken(t->token).has_value()) << "revocation survives a restart";
  EXPECT_TRUE(svc().ListTokens().at(0).revoked_utc.has_value());
  EXPECT_EQ(svc().RevokeToken(999).code(), core::Code::kNotFound);
}

TEST_F(AuthServiceTest, TokensNeverGrantMoreThanTheirCreatorStillHas) {
  ASSERT_TRUE(svc().CreateUser("boss", "admin", "admin-pass-01").ok());
  ASSERT_TRUE(svc().CreateUser("anna", "admin", "admin-pass-02").ok());
  ASSERT_TRUE(svc().CreateUser("ivan", "admin", "admin-pass-03").ok());
  auto anna_admin = svc().CreateToken("backup-job", "admin", "anna");
  auto anna_operator = svc().CreateToken("scale-bridge", "operator", "anna");
  auto anna_viewer = svc().CreateToken("wall-screen", "viewer", "anna");
  auto ivan_token = svc().CreateToken("erp-export", "viewer", "ivan");
  auto boss_token = svc().CreateToken("report", "operator", "boss");
  for (const auto* t : {&anna_admin, &anna_operator, &anna_viewer, &ivan_token, &boss_token}) ASSERT_TRUE(t->ok());

  // Demoted to operator: her admin token goes, the operator and viewer ones stay.
  ASSERT_TRUE(svc().UpdateUser("anna", {.role = "operator", .password = std::nullopt, .disabled = std::nullopt}).ok());
  EXPECT_FALSE(svc().CheckToken(anna_admin->token).has_value());
  EXPECT_TRUE(svc().CheckToken(anna_operator->token).has_value());
  EXPECT_TRUE(svc().CheckToken(anna_viewer->token).has_value());
  // Deleted: all of hers go; other creators' tokens stay.
  ASSERT_TRUE(svc().DeleteUser("anna").ok());
  EXPECT_FALSE(svc().CheckToken(anna_operator->token).has_value());
  EXPECT_FALSE(svc().CheckToken(anna_viewer->token).has_value());
  EXPECT_TRUE(svc().CheckToken(ivan_token->token).has_value());
  // Disabled: his go too, and enabling him again does not bring them back.
  ASSERT_TRUE(svc().UpdateUser("ivan", {.role = std::nullopt, .password = std::nullopt, .disabled = true}).ok());
  ASSERT_TRUE(svc().UpdateUser("ivan", {.role = std::nullopt, .password = std::nullopt, .disabled = false}).ok());
  EXPECT_FALSE(svc().CheckToken(ivan_token->token).has_value());
  Reopen();
  EXPECT_FALSE(svc().CheckToken(anna_operator->token).has_value()) << "revocation is stored";
  EXPECT_TRUE(svc().CheckToken(boss_token->token).has_value());
  int revoked = 0;
  for (const auto& t : svc().ListTokens()) revoked += t.revoked_utc.has_value() ? 1 : 0;
  EXPECT_EQ(revoked, 4);
}

}  // namespace
}  // namespace pw::auth
