// The real `pigweight serve` binary on an ephemeral port, driven by curl and raw sockets.
#include <boost/asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "integration/raw_client.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ServeHttp : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    web_ = new TempDir();
    fs::create_directories(web_->path() / "web");
    WriteFile(web_->path() / "web" / "index.html", "<!doctype html><title>t</title>" + std::string(4000, ' '));
    std::string blob;
    for (int i = 0; i < 300000; ++i) blob += static_cast<char>('a' + i % 26);
    WriteFile(web_->path() / "web" / "blob.txt", blob);
    ServerProcess::Options o;
    o.args = {"--web-dir", (web_->path() / "web").string(), "--max-body-bytes", "65536",
              "--max-header-bytes", "4096"};
    server_ = new ServerProcess(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete web_;
  }
  static inline TempDir* web_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(ServeHttp, HealthAndReadinessAnswer) {
  auto health = Fetch(server_->Url("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  auto ready = Fetch(server_->Url("/readyz"));
  EXPECT_EQ(ready.status, 200);
  auto j = nlohmann::json::parse(ready.body);
  EXPECT_TRUE(j["ready"].get<bool>());
  EXPECT_EQ(j["components"]["store"]["state"], "ready");
  EXPECT_GE(j["startup"].size(), 3u);
  auto version = Fetch(server_->Url("/api/version"));
  EXPECT_EQ(nlohmann::json::parse(version.body)["name"], "pigweight");
}

TEST_F(ServeHttp, StaticFilesRevalidateWithEtagAndDate) {
  auto first = Fetch(server_->Url("/"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, ReadFile(web_->path() / "web" / "index.html"));
  std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Fetch(server_->Url("/"), {"-H", "If-None-Match: " + etag}).status, 304);
  EXPECT_EQ(Fetch(server_->Url("/"), {"-H", "If-Modified-Since: " + first.Header("Last-Modified")}).status, 304);
  EXPECT_EQ(Fetch(server_->Url("/"), {"-H", "If-None-Match: \"changed\""}).status, 200);
}

TEST_F(ServeHttp, ServesByteRanges) {
  auto part = Fetch(server_->Url("/blob.txt"), {"-r", "1000-1999"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, ReadFile(web_->path() / "web" / "blob.txt").substr(1000, 1000));
  EXPECT_EQ(part.Header("Content-Range"), "bytes 1000-1999/300000");
  auto tail = Fetch(server_->Url("/blob.txt"), {"-r", "-10"});
  EXPECT_EQ(tail.body.size(), 10u);
  auto bad = Fetch(server_->Url("/blob.txt"), {"-r", "400000-"});
  EXPECT_EQ(bad.status, 416);
  EXPECT_EQ(bad.Header("Content-Range"), "bytes */300000");
}

TEST_F(ServeHttp, GzipsTextForClientsThatAcceptIt) {
  auto gz = Fetch(server_->Url("/blob.txt"), {"--compressed"});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_LT(std::stoul(gz.Header("Content-Length")), 300000u);
  EXPECT_EQ(gz.body, ReadFile(web_->path() / "web" / "blob.txt"));  // curl decompressed it
  auto plain = Fetch(server_->Url("/blob.txt"));
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.Header("Content-Length"), "300000");
}

TEST_F(ServeHttp, HeadSendsHeadersOnly) {
  std::string reply = SendRaw(server_->port(), "HEAD /blob.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Length: 300000\r\n"), std::string::npos) << reply;
  auto end = reply.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(end + 4, reply.size()) << "HEAD must not send a body";
}

TEST_F(ServeHttp, ErrorsUseOneJsonShape) {
  auto missing = Fetch(server_->Url("/api/nothing"));
  EXPECT_EQ(missing.status, 404);
  auto j = nlohmann::json::parse(missing.body);
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  auto wrong_method = Fetch(server_->Url("/healthz"), {"-X", "DELETE"});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(wrong_method.body)["error"]["code"], "method_not_allowed");
  auto traversal = Fetch(server_->Url("/%2e%2e/%2e%2e/etc/passwd"), {"--path-as-is"});
  EXPECT_EQ(traversal.status, 404);
}

TEST_F(ServeHttp, RejectsOversizedBodiesAndHeaders) {
  TempDir tmp;
  WriteFile(tmp / "big", std::string(200000, 'x'));
  auto big = Fetch(server_->Url("/api/version"), {"-X", "POST", "--data-binary", "@" + (tmp / "big").string()});
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(nlohmann::json::parse(big.body)["error"]["code"], "too_large");
  auto huge_header = Fetch(server_->Url("/healthz"), {"-H", "X-Junk: " + std::string(8000, 'j')});
  EXPECT_EQ(huge_header.status, 431);
  // The server is still fine afterwards.
  EXPECT_EQ(Fetch(server_->Url("/healthz")).status, 200);
}

TEST_F(ServeHttp, KeepsConnectionsAlive) {
  CommandResult r = Curl({"-v", "-o", "/dev/null", "-o", "/dev/null", server_->Url("/healthz"),
                          server_->Url("/api/version")});
  EXPECT_NE(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
}

TEST_F(ServeHttp, MalformedRequestsGet400) {
  std::string reply = SendRaw(server_->port(), std::string("GARBAGE\x01\x02 / HTTP/9\r\n\r\n"));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("\"invalid_argument\""), std::string::npos);
}

TEST_F(ServeHttp, MetricsCountRequestsByRoute) {
  Fetch(server_->Url("/healthz"));
  auto metrics = Fetch(server_->Url("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("pigweight_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("pigweight_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("pigweight_http_open_connections"), std::string::npos);
}

}  // namespace
}  // namespace pw::test
