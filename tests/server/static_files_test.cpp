#include "server/static_files.h"

#include <gtest/gtest.h>

#include "server/metrics.h"
#include "support/test_support.h"

namespace pw::server {
namespace {

namespace fs = std::filesystem;
using pw::test::TempDir;
using pw::test::WriteFile;

class StaticFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "web" / "assets");
    WriteFile(dir_ / "web" / "index.html", "<!doctype html>" + std::string(2000, ' ') + "<p>hi</p>");
    WriteFile(dir_ / "web" / "assets" / "app.0123abcd.js", "console.log(1);" + std::string(500, ';'));
    WriteFile(dir_ / "web" / "data.bin", std::string(1000, 'b'));
    WriteFile(dir_ / "web" / "video.mp4", std::string(100000, 'v'));
    WriteFile(dir_ / "secret.txt", "outside the root");
    fs::create_symlink(dir_ / "secret.txt", dir_ / "web" / "link.txt");
    files_ = std::make_unique<StaticFiles>(dir_ / "web");
  }

  Response Get(const std::string& path, std::vector<std::pair<http::field, std::string>> headers = {}) {
    Request req;
    req.msg.method(http::verb::get);
    req.msg.target(path);
    req.path = path;
    for (auto& [f, v] : headers) req.msg.set(f, v);
    return files_->Serve(req);
  }

  TempDir dir_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesIndexForTheRootWithRevalidation) {
  Response r = Get("/");
  EXPECT_EQ(r.status, http::status::ok);
  EXPECT_EQ(r.body, pw::test::ReadFile(dir_ / "web" / "index.html"));  // small: sent inline
  EXPECT_EQ(r.headers[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(r.headers[http::field::cache_control], "no-cache");
  EXPECT_FALSE(r.headers[http::field::etag].empty());
  EXPECT_FALSE(r.headers[http::field::last_modified].empty());
}

TEST_F(StaticFilesTest, LargeFilesAreSentFromTheOpenFile) {
  Response r = Get("/video.mp4");
  ASSERT_TRUE(r.file.has_value());
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.file->offset, 0u);
  EXPECT_EQ(r.file->length, 100000u);
  EXPECT_EQ(r.headers[http::field::content_type], "video/mp4");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  Response r = Get("/assets/app.0123abcd.js");
  EXPECT_EQ(r.headers[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(r.headers[http::field::content_type], "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, AnswersNotModifiedForAMatchingEtagOrDate) {
  Response first = Get("/data.bin");
  std::string etag(first.headers[http::field::etag]);
  Response again = Get("/data.bin", {{http::field::if_none_match, etag}});
  EXPECT_EQ(again.status, http::status::not_modified);
  EXPECT_TRUE(again.body.empty());
  EXPECT_FALSE(again.file.has_value());
  Response by_date = Get("/data.bin", {{http::field::if_modified_since,
                                        std::string(first.headers[http::field::last_modified])}});
  EXPECT_EQ(by_date.status, http::status::not_modified);
  Response changed = Get("/data.bin", {{http::field::if_none_match, "\"stale\""}});
  EXPECT_EQ(changed.status, http::status::ok);
}

TEST_F(StaticFilesTest, GzipsTextWhenAcceptedWithItsOwnEtag) {
  Response plain = Get("/index.html");
  Response gz = Get("/index.html", {{http::field::accept_encoding, "gzip"}});
  EXPECT_EQ(gz.headers[http::field::content_encoding], "gzip");
  EXPECT_EQ(gz.headers[http::field::vary], "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_NE(gz.headers[http::field::etag], plain.headers[http::field::etag]);
  Response gz304 = Get("/index.html", {{http::field::accept_encoding, "gzip"},
                                       {http::field::if_none_match, std::string(gz.headers[http::field::etag])}});
  EXPECT_EQ(gz304.status, http::status::not_modified);
  Response binary = Get("/data.bin", {{http::field::accept_encoding, "gzip"}});
  EXPECT_TRUE(binary.headers[http::field::content_encoding].empty());
}

TEST_F(StaticFilesTest, ServesSingleRangesAndRejectsUnsatisfiableOnes) {
  Response part = Get("/data.bin", {{http::field::range, "bytes=100-199"}});
  EXPECT_EQ(part.status, http::status::partial_content);
  EXPECT_EQ(part.headers[http::field::content_range], "bytes 100-199/1000");
  EXPECT_EQ(part.file->offset, 100u);
  EXPECT_EQ(part.file->length, 100u);
  Response bad = Get("/data.bin", {{http::field::range, "bytes=5000-"}});
  EXPECT_EQ(bad.status, http::status::range_not_satisfiable);
  EXPECT_EQ(bad.headers[http::field::content_range], "bytes */1000");
  Response stale = Get("/data.bin", {{http::field::range, "bytes=0-9"}, {http::field::if_range, "\"old\""}});
  EXPECT_EQ(stale.status, http::status::ok);  // validator changed: whole file
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/link.txt", "/nope.html",
                           "/assets", "/..\\secret.txt"}) {
    EXPECT_EQ(Get(path).status, http::status::not_found) << path;
  }
}

TEST(Mime, KnowsTheTypesWeServe) {
  EXPECT_EQ(MimeType("a.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(MimeType("a.M4S"), "video/iso.segment");
  EXPECT_EQ(MimeType("a.mp4"), "video/mp4");
  EXPECT_EQ(MimeType("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(MimeType("a.unknown"), "application/octet-stream");
  EXPECT_TRUE(IsCompressible("application/json"));
  EXPECT_FALSE(IsCompressible("image/png"));
}

TEST(Metrics, RendersCountersAndCumulativeHistograms) {
  Metrics m;
  m.ObserveRequest("/healthz", "GET", 200, 0.0005);
  m.ObserveRequest("/healthz", "GET", 200, 0.02);
  m.ObserveRequest("/healthz", "GET", 503, 3.0);
  m.AddCollector([](std::string& out) { out += "pigweight_custom 7\n"; });
  std::string text = m.Render();
  EXPECT_NE(text.find("pigweight_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2"), std::string::npos);
  EXPECT_NE(text.find("pigweight_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"503\"} 1"), std::string::npos);
  EXPECT_NE(text.find("pigweight_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.001\"} 1"), std::string::npos);
  EXPECT_NE(text.find("pigweight_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.025\"} 2"), std::string::npos);
  EXPECT_NE(text.find("pigweight_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("pigweight_custom 7"), std::string::npos);
}

}  // namespace
}  // namespace pw::server
