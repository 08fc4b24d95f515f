#include "server/router.h"

#include <gtest/gtest.h>

namespace pw::server {
namespace {

Handler Named(std::string* hit, std::string name) {
  return [hit, name](const RequestPtr&, Respond) { *hit = name; };
}

void Call(const Router::Match& m) {
  ASSERT_NE(m.handler, nullptr);
  (*m.handler)(std::make_shared<Request>(), [](Response) {});
}

TEST(Router, MatchesLiteralsAndCapturesParameters) {
  Router r;
  std::string hit;
  r.Add(http::verb::get, "/api/videos", Named(&hit, "list"));
  r.Add(http::verb::get, "/api/videos/{id}", Named(&hit, "one"));
  r.Add(http::verb::get, "/api/videos/{id}/hls/{file}", Named(&hit, "hls"));
  auto m = r.Find(http::verb::get, "/api/videos/abc123/hls/seg_7.m4s");
  Call(m);
  EXPECT_EQ(hit, "hls");
  EXPECT_EQ(m.pattern, "/api/videos/{id}/hls/{file}");
  EXPECT_EQ(m.params.at("id"), "abc123");
  EXPECT_EQ(m.params.at("file"), "seg_7.m4s");
  Call(r.Find(http::verb::get, "/api/videos/"));  // trailing slash is the same path
  EXPECT_EQ(hit, "list");
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router r;
  std::string hit;
  r.Add(http::verb::get, "/api/videos/{id}", Named(&hit, "param"));
  r.Add(http::verb::get, "/api/videos/stats", Named(&hit, "literal"));
  Call(r.Find(http::verb::get, "/api/videos/stats"));
  EXPECT_EQ(hit, "literal");
  Call(r.Find(http::verb::get, "/api/videos/x"));
  EXPECT_EQ(hit, "param");
}

TEST(Router, RestParameterTakesTheRemainingPath) {
  Router r;
  std::string hit;
  r.Add(http::verb::get, "/files/{path...}", Named(&hit, "rest"));
  auto m = r.Find(http::verb::get, "/files/a/b/c.txt");
  Call(m);
  EXPECT_EQ(m.params.at("path"), "a/b/c.txt");
  EXPECT_EQ(r.Find(http::verb::get, "/files").handler, nullptr);
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  Router r;
  std::string hit;
  r.Add(http::verb::get, "/api/weighings", Named(&hit, "list"));
  r.Add(http::verb::post, "/api/weighings", Named(&hit, "create"));
  auto m = r.Find(http::verb::delete_, "/api/weighings");
  EXPECT_EQ(m.handler, nullptr);
  ASSERT_EQ(m.allowed.size(), 3u);  // GET, HEAD, POST
  auto none = r.Find(http::verb::get, "/api/other");
  EXPECT_EQ(none.handler, nullptr);
  EXPECT_TRUE(none.allowed.empty());
}

TEST(Router, HeadIsServedByGetRoutes) {
  Router r;
  std::string hit;
  r.Add(http::verb::get, "/healthz", Named(&hit, "health"));
  Call(r.Find(http::verb::head, "/healthz"));
  EXPECT_EQ(hit, "health");
}

TEST(Query, DecodesPercentAndPlus) {
  auto q = ParseQuery("t=12.5&name=a%20b+c&empty=&flag&bad=%zz");
  EXPECT_EQ(q.at("t"), "12.5");
  EXPECT_EQ(q.at("name"), "a b c");
  EXPECT_EQ(q.at("empty"), "");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.count("bad"), 0u);
  EXPECT_FALSE(PercentDecode("%00").has_value());
  EXPECT_FALSE(PercentDecode("%4").has_value());
  EXPECT_EQ(*PercentDecode("/a%2Fb"), "/a/b");
}

TEST(ErrorShape, MapsStatusCodesInOnePlace) {
  EXPECT_EQ(HttpStatusFor(core::Code::kNotFound), http::status::not_found);
  EXPECT_EQ(HttpStatusFor(core::Code::kUnprocessable), http::status::unprocessable_entity);
  EXPECT_EQ(HttpStatusFor(core::Code::kTooLarge), http::status::payload_too_large);
  EXPECT_EQ(HttpStatusFor(core::Code::kUnavailable), http::status::service_unavailable);
  Response r = Response::Error(core::Status::Busy("queue full"));
  EXPECT_EQ(r.status, http::status::service_unavailable);
  EXPECT_EQ(r.headers[http::field::retry_after], "1");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "busy");
  EXPECT_EQ(j["error"]["message"], "queue full");
}

}  // namespace
}  // namespace pw::server
