// Authentication end to end: the real `pigweight serve` with AUTH=on, driven by curl and a
// WebSocket client. The role matrix is generated from the server's own route list
// (GET /debug/routes) and the policy table, so a new route cannot slip through unclassified.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

#include "auth/route_policy.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

using namespace std::chrono_literals;
using auth::Role;

constexpr const char* kAdminPassword = "admin-pass-0001";

ServerProcess::Options AuthOn(std::map<std::string, std::string> env = {}) {
  ServerProcess::Options o;
  o.env = std::move(env);
  o.env["AUTH"] = "on";
  o.env.emplace("ADMIN_PASSWORD", kAdminPassword);
  return o;
}

CurlResponse Call(const ServerProcess& s, const std::string& method, const std::string& path,
                  const std::vector<std::string>& headers = {}, const std::string& body = "") {
  std::vector<std::string> args = {"-X", method, "--max-time", "10"};
  if (method == "HEAD") args = {"-I", "--max-time", "10"};
  for (const auto& h : headers) args.insert(args.end(), {"-H", h});
  if (!body.empty()) args.insert(args.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
  return Fetch(s.Url(path), args);
}

// Signs in; returns the "Cookie: pw_session=..." header to send.
std::string SignIn(const ServerProcess& s, const std::string& user, const std::string& password) {
  auto r = Call(s, "POST", "/api/login", {}, nlohmann::json{{"user", user}, {"password", password}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  std::string cookie = r.Header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  return "Cookie: " + cookie.substr(0, cookie.find(';'));
}

void MakeUser(const ServerProcess& s, const std::string& admin, const std::string& name, const std::string& role) {
  auto r = Call(s, "POST", "/api/users", {admin},
                nlohmann::json{{"name", name}, {"role", role}, {"password", name + "-password"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
}

// The handshake's HTTP status (101 when upgraded).
int WebSocketStatus(int port, const std::string& cookie_header) {
  namespace ws = boost::beast::websocket;
  boost::asio::io_context io;
  ws::stream<boost::asio::ip::tcp::socket> stream(io);
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  stream.set_option(ws::stream_base::decorator([&](ws::request_type& req) {
    if (!cookie_header.empty()) req.set(boost::beast::http::field::cookie, cookie_header.substr(8));
  }));
  ws::response_type res;
  boost::beast::error_code ec;
  stream.handshake(res, "127.0.0.1:" + std::to_string(port), "/ws", ec);
  return res.result_int();
}

class AuthServer : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess(AuthOn({{"DEBUG_ROUTES", "1"}, {"CORS_ORIGINS", "https://scada.example"}}));
    admin_ = new std::string(SignIn(*server_, "admin", kAdminPassword));
    MakeUser(*server_, *admin_, "vera", "viewer");
    MakeUser(*server_, *admin_, "olga", "operator");
    viewer_ = new std::string(SignIn(*server_, "vera", "vera-password"));
    operator_ = new std::string(SignIn(*server_, "olga", "olga-password"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete admin_;
    delete viewer_;
    delete operator_;
  }
  static inline ServerProcess* server_ = nullptr;
  static inline std::string* admin_ = nullptr;
  static inline std::string* viewer_ = nullptr;
  static inline std::string* operator_ = nullptr;
};

std::vector<std::string> ServerRoutes(const ServerProcess& s, const std::string& admin) {
  auto r = Call(s, "GET", "/debug/routes", {admin});
  EXPECT_EQ(r.status, 200) << r.body;
  return nlohmann::json::parse(r.body).at("routes").get<std::vector<std::string>>();
}

TEST_F(AuthServer, EveryRouteOfTheWiredServerIsInThePolicyTable) {
  auto routes = ServerRoutes(*server_, *admin_);
  ASSERT_GT(routes.size(), 40u);
  std::string missing;
  for (const auto& r : routes) {
    if (!auth::InPolicyTable(r)) missing += "  " + r + "\n";
  }
  EXPECT_TRUE(missing.empty()) << "routes without a role in src/auth/route_policy.cpp (they need admin until "
                                  "classified):\n" << missing;
}

TEST_F(AuthServer, RoleMatrixFollowsThePolicyTableForEveryRoute) {
  struct Caller {
    const char* name;
    std::optional<Role> role;
    std::string header;
  };
  const std::vector<Caller> callers = {
      {"anonymous", std::nullopt, ""}, {"viewer", Role::kViewer, *viewer_},
      {"operator", Role::kOperator, *operator_}, {"admin", Role::kAdmin, *admin_}};
  for (const auto& route : ServerRoutes(*server_, *admin_)) {
    if (route == "POST /api/logout") continue;  // would end the callers' sessions; tested on its own
    const std::string method = route.substr(0, route.find(' '));
    // A concrete path: every {param} becomes "x1" (a missing thing: 404s are fine, 401/403 are the point).
    const std::string path = std::regex_replace(route.substr(route.find(' ') + 1), std::regex(R"(\{[^}]+\})"), "x1");
    const Role need = auth::RequiredRole(route);
    for (const auto& c : callers) {
      std::vector<std::string> headers;
      if (!c.header.empty()) headers.push_back(c.header);
      auto r = Call(*server_, method, path, headers, method == "GET" || method == "DELETE" ? "" : "{}");
      SCOPED_TRACE(route + " as " + c.name + " -> " + std::to_string(r.status) + " " + r.body.substr(0, 200));
      if (need == Role::kPublic) {
        EXPECT_NE(r.status, 403);
        if (route != "POST /api/login") {
          EXPECT_NE(r.status, 401);
        }
      } else if (!c.role) {
        EXPECT_EQ(r.status, 401);
        EXPECT_NE(r.Header("WWW-Authenticate").find("Bearer"), std::string::npos);
        EXPECT_NE(r.body.find("\"unauthenticated\""), std::string::npos);
      } else if (!auth::Allows(*c.role, need)) {
        EXPECT_EQ(r.status, 403);
        EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos);
      } else {
        EXPECT_NE(r.status, 401);
        EXPECT_NE(r.status, 403);
        EXPECT_NE(r.status, 0) << "no answer";
      }
    }
  }
}

TEST_F(AuthServer, MeNamesTheUserAndRole) {
  auto r = Call(*server_, "GET", "/api/me", {*operator_});
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["user"], "olga");
  EXPECT_EQ(j["role"], "operator");
  EXPECT_EQ(j["auth"], true);
}

TEST_F(AuthServer, WrongPasswordIsRefusedWithoutACookie) {
  auto r = Call(*server_, "POST", "/api/login", {}, R"({"user":"vera","password":"not-her-password"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("Set-Cookie"), "");
}

TEST_F(AuthServer, LogoutEndsTheSession) {
  std::string cookie = SignIn(*server_, "vera", "vera-password");
  EXPECT_EQ(Call(*server_, "GET", "/api/weighings", {cookie}).status, 200);
  auto out = Call(*server_, "POST", "/api/logout", {cookie});
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call(*server_, "GET", "/api/weighings", {cookie}).status, 401);
}

TEST_F(AuthServer, RevokedTokenStopsWorkingAndIsShownOnlyOnce) {
  auto made = Call(*server_, "POST", "/api/tokens", {*admin_}, R"({"name":"scale-bridge","role":"operator"})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto j = nlohmann::json::parse(made.body);
  std::string bearer = "Authorization: Bearer " + j["token"].get<std::string>();
  EXPECT_EQ(Call(*server_, "POST", "/api/weighings", {bearer}, R"({"count":4,"total_kg":120})").status, 201);
  EXPECT_EQ(Call(*server_, "DELETE", "/api/weighings/1", {bearer}).status, 403) << "operator tokens cannot delete";
  auto list = Call(*server_, "GET", "/api/tokens", {*admin_});
  EXPECT_EQ(list.body.find(j["token"].get<std::string>()), std::string::npos) << list.body;
  EXPECT_EQ(Call(*server_, "DELETE", "/api/tokens/" + std::to_string(j["id"].get<int64_t>()), {*admin_}).status, 204);
  auto after = Call(*server_, "GET", "/api/weighings", {bearer});
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.body.find("revoked"), std::string::npos) << after.body;
}

TEST_F(AuthServer, JournalRecordsWhoCreatedAmendedAndDeleted) {
  auto created = Call(*server_, "POST", "/api/weighings", {*operator_}, R"({"count":5,"total_kg":150,"note":"a"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto w = nlohmann::json::parse(created.body);
  EXPECT_EQ(w["created_by"], "olga");
  std::string url = "/api/weighings/" + std::to_string(w["id"].get<int64_t>());
  ASSERT_EQ(Call(*server_, "PATCH", url, {*operator_}, R"({"total_kg":155})").status, 200);
  ASSERT_EQ(Call(*server_, "DELETE", url, {*admin_}).status, 204);
  auto got = Call(*server_, "GET", url, {*viewer_});
  ASSERT_EQ(got.status, 200) << got.body;
  auto g = nlohmann::json::parse(got.body);
  EXPECT_EQ(g["created_by"], "olga");
  ASSERT_EQ(g["history"].size(), 2u) << got.body;
  EXPECT_EQ(g["history"][0]["action"], "amend");
  EXPECT_EQ(g["history"][0]["by"], "olga");
  EXPECT_EQ(g["history"][1]["action"], "delete");
  EXPECT_EQ(g["history"][1]["by"], "admin");
  EXPECT_FALSE(g["history"][1]["at"].get<std::string>().empty());
}

TEST_F(AuthServer, WebSocketNeedsASession) {
  EXPECT_EQ(WebSocketStatus(server_->port(), ""), 401);
  EXPECT_EQ(WebSocketStatus(server_->port(), *viewer_), 101);
}

TEST_F(AuthServer, CorsPreflightOnlyForConfiguredOrigins) {
  auto ok = Call(*server_, "OPTIONS", "/api/weighings",
                 {"Origin: https://scada.example", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), "https://scada.example");
  EXPECT_EQ(ok.Header("Access-Control-Allow-Credentials"), "true");
  auto denied = Call(*server_, "OPTIONS", "/api/weighings",
                     {"Origin: https://evil.example", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Header("Access-Control-Allow-Origin"), "");
  auto get = Call(*server_, "GET", "/api/weighings", {*viewer_, "Origin: https://evil.example"});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("Access-Control-Allow-Origin"), "") << "never '*' nor an unlisted origin";
}

TEST_F(AuthServer, CrossSiteWritesWithTheCookieAreRefused) {
  const std::string body = R"({"count":2,"total_kg":50})";
  auto evil = Call(*server_, "POST", "/api/weighings", {*operator_, "Origin: https://evil.example"}, body);
  EXPECT_EQ(evil.status, 403) << evil.body;
  auto same = Call(*server_, "POST", "/api/weighings",
                   {*operator_, "Origin: http://127.0.0.1:" + std::to_string(server_->port())}, body);
  EXPECT_EQ(same.status, 201) << same.body;
  auto listed = Call(*server_, "POST", "/api/weighings", {*operator_, "Origin: https://scada.example"}, body);
  EXPECT_EQ(listed.status, 201) << listed.body;
  auto proxied = Call(*server_, "POST", "/api/weighings",
                      {*operator_, "Origin: https://farm.example", "X-Forwarded-Host: farm.example"}, body);
  EXPECT_EQ(proxied.status, 201) << "behind a proxy that rewrites Host: " << proxied.body;
}

TEST(AuthLifecycle, SessionExpiresAfterTheConfiguredTtl) {
  ServerProcess server(AuthOn({{"SESSION_TTL_HOURS", "0.0003"}}));  // ~1.1 s
  std::string cookie = SignIn(server, "admin", kAdminPassword);
  EXPECT_EQ(Call(server, "GET", "/api/me", {cookie}).status, 200);
  std::this_thread::sleep_for(1500ms);
  auto r = Call(server, "GET", "/api/me", {cookie});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
}

TEST(AuthLifecycle, RepeatedWrongPasswordsGet429WithRetryAfter) {
  ServerProcess server(AuthOn());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call(server, "POST", "/api/login", {}, R"({"user":"admin","password":"wrong-password"})").status, 401);
  }
  auto r = Call(server, "POST", "/api/login", {}, nlohmann::json{{"user", "admin"}, {"password", kAdminPassword}}.dump());
  EXPECT_EQ(r.status, 429);
  int retry = std::atoi(r.Header("Retry-After").c_str());
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 60);
}

// Behind a reverse proxy every request comes from the proxy: with TRUSTED_PROXIES the sign-in limit
// is per real client (X-Forwarded-For); without it the header is ignored (anyone can forge it).
TEST(AuthLifecycle, SignInLimitIsPerForwardedClientOnlyBehindATrustedProxy) {
  auto attempts_from = [](const ServerProcess& server, const std::string& client, int n, int first_user) {
    std::vector<int> statuses;
    for (int i = 0; i < n; ++i) {
      const std::string user = "nobody" + std::to_string(first_user + i);  // no per-user limit involved
      statuses.push_back(Call(server, "POST", "/api/login", {"X-Forwarded-For: 198.51.100.1, " + client},
                              nlohmann::json{{"user", user}, {"password", "wrong-password"}}.dump())
                             .status);
    }
    return statuses;
  };
  {
    ServerProcess server(AuthOn({{"TRUSTED_PROXIES", "127.0.0.1,::1"}}));
    EXPECT_EQ(attempts_from(server, "203.0.113.5", 6, 0), (std::vector<int>{401, 401, 401, 401, 401, 429}));
    EXPECT_EQ(attempts_from(server, "203.0.113.6", 1, 10), std::vector<int>{401}) << "another client behind the proxy";
  }
  {
    ServerProcess server(AuthOn());
    EXPECT_EQ(attempts_from(server, "203.0.113.5", 5, 0), std::vector<int>(5, 401));
    EXPECT_EQ(attempts_from(server, "203.0.113.6", 1, 10), std::vector<int>{429}) << "the header is not believed";
  }
}

TEST(AuthLifecycle, AMalformedTrustedProxiesSettingStopsTheStartNamingIt) {
  TempDir dir;
  auto r = RunCommand({PigweightBinary(), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", (dir / "d").string()},
                      {{"TRUSTED_PROXIES", "127.0.0.1,proxy.farm"}, {"AUTH", "off"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("TRUSTED_PROXIES=127.0.0.1,proxy.farm: 'proxy.farm'"), std::string::npos) << r.err;
}

TEST(AuthLifecycle, FirstStartPrintsAGeneratedAdminPasswordOnce) {
  TempDir data;
  ServerProcess::Options o;
  o.env["AUTH"] = "on";
  o.data_dir = data / "d";
  std::string password;
  {
    ServerProcess server(o);
    std::smatch m;
    std::string log = server.Log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex("created user 'admin' with password (\\S+)"))) << log;
    password = m[1];
    SignIn(server, "admin", password);
  }
  ServerProcess again(o);
  EXPECT_EQ(again.Log().find(password), std::string::npos) << "shown only at the first start";
  SignIn(again, "admin", password);
}

TEST(AuthLifecycle, AuthOffIsLoggedAndLetsEveryoneThrough) {
  ServerProcess server;  // the test default: AUTH=off
  EXPECT_NE(server.Log().find("AUTH is off"), std::string::npos);
  auto me = nlohmann::json::parse(Call(server, "GET", "/api/me").body);
  EXPECT_EQ(me["auth"], false);
  EXPECT_EQ(Call(server, "POST", "/api/weighings", {}, R"({"count":1,"total_kg":10})").status, 201);
}

}  // namespace
}  // namespace pw::test
