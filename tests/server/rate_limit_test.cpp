#include "server/rate_limit.h"

#include <gtest/gtest.h>

#include "core/rate.h"
#include "server/router.h"

namespace pw::server {
namespace {

using namespace std::chrono_literals;

TEST(Rate, ParsesOperatorFormsAndRejectsOthersNamingTheForm) {
  auto r = core::ParseRate("30/s");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->count, 30);
  EXPECT_EQ((*r)->period_s, 1);
  EXPECT_EQ((**core::ParseRate("20/min")).period_s, 60);
  EXPECT_DOUBLE_EQ((**core::ParseRate("100/h")).per_second(), 100.0 / 3600);
  EXPECT_EQ((**core::ParseRate("2.5/s")).count, 2.5);
  EXPECT_FALSE(core::ParseRate("off")->has_value());
  EXPECT_FALSE(core::ParseRate("0")->has_value());
  EXPECT_EQ((**core::ParseRate("20/min")).ToString(), "20/min");
  for (const char* bad : {"", "30", "/s", "30/", "30/day", "-1/s", "abc/s", "30 /s", "nan/s", "0/s"}) {
    auto b = core::ParseRate(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.status().message().find("30/s"), std::string::npos) << b.status().message();
  }
}

TEST(RateLimiter, AllowsABurstThenRefusesUntilTokensComeBack) {
  RateLimiter l("frames", core::Rate{3, 60});
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  EXPECT_FALSE(l.Take("a", t0));
  EXPECT_FALSE(l.Take("a", t0));
  EXPECT_FALSE(l.Take("a", t0));
  auto wait = l.Take("a", t0);
  ASSERT_TRUE(wait);
  EXPECT_NEAR(*wait, 20.0, 1e-9);  // one token per 20 s
  EXPECT_TRUE(l.Take("a", t0 + 19s));
  EXPECT_FALSE(l.Take("a", t0 + 21s)) << "20 s later one token is back";
  EXPECT_TRUE(l.Take("a", t0 + 21s));
  EXPECT_EQ(l.refused(), 3u);
}

TEST(RateLimiter, ClientsHaveTheirOwnBucketsAndAnIdleOneRefillsOnlyToTheBurst) {
  RateLimiter l("uploads", core::Rate{2, 1});
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  EXPECT_FALSE(l.Take("a", t0));
  EXPECT_FALSE(l.Take("a", t0));
  EXPECT_TRUE(l.Take("a", t0));
  EXPECT_FALSE(l.Take("b", t0)) << "another client is not affected";
  // An hour idle gives back the burst (2), not 3600 requests.
  EXPECT_FALSE(l.Take("a", t0 + 3600s));
  EXPECT_FALSE(l.Take("a", t0 + 3600s));
  EXPECT_TRUE(l.Take("a", t0 + 3600s));
}

TEST(RateLimiter, KeepsAtMostMaxClientsDroppingTheOneIdleLongest) {
  RateLimiter l("frames", core::Rate{1, 60}, 2);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  EXPECT_FALSE(l.Take("a", t0));
  EXPECT_FALSE(l.Take("b", t0 + 1s));
  EXPECT_TRUE(l.Take("a", t0 + 2s));  // a is now the most recent
  EXPECT_FALSE(l.Take("c", t0 + 3s));  // evicts b (idle longest)
  EXPECT_EQ(l.clients(), 2u);
  EXPECT_TRUE(l.Take("a", t0 + 4s)) << "a's empty bucket was kept";
  EXPECT_FALSE(l.Take("b", t0 + 5s)) << "b starts again with a full bucket";
}

TEST(RateLimiter, RefusesWith429RetryAfterAndTheErrorShape) {
  RateLimiter l("frames", core::Rate{1, 60});
  Request req;
  req.remote = "10.0.0.7:50000";
  EXPECT_FALSE(l.Check(req));
  req.remote = "10.0.0.7:50001";  // another connection of the same machine
  auto refused = l.Check(req);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, http::status::too_many_requests);
  EXPECT_EQ(std::string(refused->headers[http::field::retry_after]), "60");
  auto body = nlohmann::json::parse(refused->body);
  EXPECT_EQ(body["error"]["code"], "rate_limited");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("1/min"), std::string::npos);
}

TEST(RateLimiter, ClientAddressDropsThePort) {
  const auto client = [](std::string remote) {
    Request r;
    r.remote = std::move(remote);
    return r.client_address();
  };
  EXPECT_EQ(client("127.0.0.1:51234"), "127.0.0.1");
  EXPECT_EQ(client("::1:8000"), "::1") << "IPv6 as the server formats the peer";
  EXPECT_EQ(client("[::1]:8000"), "::1");
  EXPECT_EQ(client("host"), "host");
}

TEST(RouterGuard, ARefusingGuardAnswersAndTheHandlerDoesNotRun) {
  Router r;
  int handled = 0;
  r.AddSync(http::verb::get, "/api/videos/{id}/frame", [&](const Request&) {
    ++handled;
    return Response::Text("frame");
  });
  r.AddStream(http::verb::patch, "/api/uploads/{id}", [&](const RequestPtr&) -> StreamStart {
    ++handled;
    return Response::Text("accepted");
  });
  bool refuse = false;
  auto guard = [&](const Request&) -> std::optional<Response> {
    if (refuse) return Response::Error(http::status::too_many_requests, "rate_limited", "slow down");
    return std::nullopt;
  };
  ASSERT_TRUE(r.AddGuard(http::verb::get, "/api/videos/{id}/frame", guard).ok());
  ASSERT_TRUE(r.AddGuard(http::verb::patch, "/api/uploads/{id}", guard).ok());
  auto status = [&](http::verb v, const char* path) {
    auto m = r.Find(v, path);
    if (m.stream) return std::get<Response>((*m.stream)(std::make_shared<Request>())).status;
    http::status s{};
    (*m.handler)(std::make_shared<Request>(), [&](Response res) { s = res.status; });
    return s;
  };
  EXPECT_EQ(status(http::verb::get, "/api/videos/x/frame"), http::status::ok);
  EXPECT_EQ(status(http::verb::patch, "/api/uploads/u"), http::status::ok);
  EXPECT_EQ(handled, 2);
  refuse = true;
  EXPECT_EQ(status(http::verb::get, "/api/videos/x/frame"), http::status::too_many_requests);
  EXPECT_EQ(status(http::verb::patch, "/api/uploads/u"), http::status::too_many_requests);
  EXPECT_EQ(handled, 2);
}

TEST(RouterGuard, GuardingARouteThatDoesNotExistIsAnError) {
  Router r;
  r.AddSync(http::verb::get, "/api/videos/{id}/frame", [](const Request&) { return Response::Text(""); });
  auto st = r.AddGuard(http::verb::get, "/api/video/{id}/frame", [](const Request&) { return std::nullopt; });
  EXPECT_EQ(st.code(), core::Code::kNotFound);
  EXPECT_EQ(r.AddGuard(http::verb::post, "/api/videos/{id}/frame", [](const Request&) { return std::nullopt; }).code(),
            core::Code::kNotFound);
}

}  // namespace
}  // namespace pw::server
