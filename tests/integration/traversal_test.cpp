// Path traversal on every route that serves a file (the web UI's static files, HLS playlists and
// segments, thumbnails, evidence pictures, live HLS): the real server, curl with --path-as-is so
// the tricks reach it unnormalised. Nothing outside what the route serves may come back: not
// /etc/passwd, not the database, not another video's files.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "media/media_fixtures.h"
#include "support/test_support.h"

namespace pw::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Traversal : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    media::test::VideoSpec spec;
    spec.seconds = 4;
    video_ = media::test::MakeVideo(dir_->path(), "pen.mp4", spec);
    server_ = new ServerProcess();
    auto r = Fetch(server_->Url("/api/videos"), {"-X", "POST", "--data-binary", nlohmann::json{{"path", video_.string()}}.dump()});
    ASSERT_EQ(r.status, 201) << r.body;
    id_ = nlohmann::json::parse(r.body)["videos"][0]["id"];
    for (int i = 0; i < 500; ++i) {
      auto v = nlohmann::json::parse(Fetch(server_->Url("/api/videos/" + id_)).body);
      if (v["status"].value("thumbnails", "") == "ready") break;
      std::this_thread::sleep_for(20ms);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  // The status of a GET sent exactly as written; fails the test when the body is a secret.
  static int Get(const std::string& path) {
    auto r = Fetch(server_->Url(path), {"--path-as-is"});
    EXPECT_EQ(r.body.find("root:x:0:0"), std::string::npos) << path << " served /etc/passwd";
    EXPECT_EQ(r.body.find("SQLite format 3"), std::string::npos) << path << " served the database";
    EXPECT_EQ(r.body.find("\"pw-secret\""), std::string::npos) << path << " served a file outside the route";
    return r.status;
  }

  static TempDir* dir_;
  static fs::path video_;
  static ServerProcess* server_;
  static std::string id_;
};
TempDir* Traversal::dir_ = nullptr;
fs::path Traversal::video_;
ServerProcess* Traversal::server_ = nullptr;
std::string Traversal::id_;

const std::vector<std::string> kTricks = {
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%5c..%5c..%5cetc%5cpasswd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "..%2f..%2fpigweight.db",
    "../../pigweight.db",
    "..%2f..%2f..%2fpigweight.db",
    "%2fetc%2fpasswd",
    "//etc/passwd",
    "index.m3u8%00.png",
    "secret.json",
};

TEST_F(Traversal, TheRoutesServeTheirOwnFiles) {
  // So the refusals below are refusals, not routes that serve nothing.
  ASSERT_FALSE(id_.empty());
  EXPECT_EQ(Get("/"), 200);
  EXPECT_EQ(Get("/js/api.js"), 200);
  EXPECT_EQ(Get("/api/videos/" + id_ + "/hls/index.m3u8"), 200);
  auto vtt = Fetch(server_->Url("/api/videos/" + id_ + "/thumbnails.vtt"));
  ASSERT_EQ(vtt.status, 200);
  auto at = vtt.body.find("/thumbs/");
  ASSERT_NE(at, std::string::npos) << vtt.body;
  std::string sprite = vtt.body.substr(at + 8, vtt.body.find('#', at) - at - 8);
  EXPECT_EQ(Get("/api/videos/" + id_ + "/thumbs/" + sprite), 200) << sprite;
}

TEST_F(Traversal, NoFileServingRouteReachesOutside) {
  // A file next to the database that no route serves.
  WriteFile(server_->data_dir() / "secret.json", "{\"pw-secret\": 1}");
  const std::vector<std::string> prefixes = {
      "/", "/js/", "/css/", "/vendor/",
      "/api/videos/" + id_ + "/hls/",
      "/api/videos/" + id_ + "/thumbs/",
      "/api/video_file/stream_hls/",
      "/api/cameras/cam1/live/",
      "/api/videos/",
  };
  for (const auto& prefix : prefixes) {
    for (const auto& trick : kTricks) {
      const int status = Get(prefix + trick);
      EXPECT_TRUE(status == 400 || status == 403 || status == 404 || status == 422 || status == 405)
          << prefix + trick << " answered " << status;
    }
  }
  // The id segment itself.
  for (const auto& trick : {"..%2f..%2f", "%2e%2e", "..", "."}) {
    for (const auto& tail : {"/hls/index.m3u8", "/thumbs/0.jpg", "/frame?t=0", "/thumbnails.vtt"}) {
      const int status = Get(std::string("/api/videos/") + trick + tail);
      EXPECT_NE(status, 200) << trick << tail;
      EXPECT_LT(status, 500) << trick << tail;
    }
    EXPECT_NE(Get(std::string("/api/weighings/") + trick + "/evidence.jpg"), 200) << trick;
  }
  // The server is still healthy after all of it.
  EXPECT_EQ(Get("/healthz"), 200);
}

}  // namespace
}  // namespace pw::test
