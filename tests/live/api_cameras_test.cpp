// Camera routes in-process (Router + handlers, no sockets) against a real CameraManager and a real
// RTSP camera: status codes, masked credentials, snapshot 503 → 200, aliases, and the MJPEG body.
#include <gtest/gtest.h>

#include <future>

#include "rtsp_camera.h"
#include "server/api_cameras.h"

namespace pw::server {
namespace {

using namespace std::chrono_literals;
using live::test::RtspCamera;
using live::test::WaitFor;

class ApiCamerasTest : public ::testing::Test {
 protected:
  ApiCamerasTest() : pool_("test", 2, 16) {
    live::CameraManagerOptions o;
    o.cameras_file = dir_ / "cameras.json";
    o.defaults.ingest.backoff_min = 100ms;
    o.defaults.ingest.backoff_max = 500ms;
    cameras_ = std::make_unique<live::CameraManager>(o, nullptr, live::Publisher{});
    EXPECT_TRUE(cameras_->Load().ok());
    AddCameraRoutes(router_, *cameras_, pool_);
  }

  Response Call(http::verb method, const std::string& target, const std::string& body = "") {
    auto req = std::make_shared<Request>();
    auto q = target.find('?');
    req->path = target.substr(0, q);
    if (q != std::string::npos) req->query = ParseQuery(target.substr(q + 1));
    req->msg.method(method);
    req->msg.body() = body;
    auto match = router_.Find(method, req->path);
    if (!match.handler) return Response::Error(http::status::not_found, "not_found", "no route");
    req->params = match.params;
    std::promise<Response> done;
    (*match.handler)(req, [&done](Response r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }

  pw::test::TempDir dir_;
  core::ThreadPool pool_;
  Router router_;
  std::unique_ptr<live::CameraManager> cameras_;
};

TEST_F(ApiCamerasTest, CrudAnswersWithStatusCodesAndNeverEchoesPasswords) {
  const std::string url = "rtsp://op:topsecret@127.0.0.1:" + std::to_string(live::test::UnusedPort()) + "/cam";
  auto created = Call(http::verb::post, "/api/cameras", nlohmann::json{{"id", "pen1"}, {"url", url}, {"enabled", false}}.dump());
  EXPECT_EQ(created.status, http::status::created) << created.body;
  EXPECT_EQ(created.body.find("topsecret"), std::string::npos);
  EXPECT_EQ(Call(http::verb::post, "/api/cameras", "{\"id\":\"pen1\",\"url\":\"" + url + "\"}").status, http::status::conflict);
  auto bad = Call(http::verb::post, "/api/cameras", R"({"url":"http://x"})");
  EXPECT_EQ(bad.status, http::status::bad_request);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["field"], "url");
  EXPECT_EQ(Call(http::verb::post, "/api/cameras", "not json").status, http::status::bad_request);
  auto list = Call(http::verb::get, "/api/cameras");
  EXPECT_EQ(nlohmann::json::parse(list.body)["cameras"].size(), 1u);
  EXPECT_EQ(list.body.find("topsecret"), std::string::npos);
  auto patched = Call(http::verb::patch, "/api/cameras/pen1", R"({"name":"Pen one"})");
  EXPECT_EQ(patched.status, http::status::ok);
  EXPECT_EQ(nlohmann::json::parse(patched.body)["name"], "Pen one");
  EXPECT_EQ(Call(http::verb::get, "/api/cameras/nope").status, http::status::not_found);
  EXPECT_EQ(Call(http::verb::get, "/api/cameras/nope/snapshot").status, http::status::not_found);
  auto snap = Call(http::verb::get, "/api/cameras/pen1/snapshot");
  EXPECT_EQ(snap.status, http::status::service_unavailable);  // stopped: no picture yet, and why
  EXPECT_NE(snap.body.find("no picture yet"), std::string::npos);
  EXPECT_EQ(Call(http::verb::delete_, "/api/cameras/pen1").status, http::status::no_content);
  EXPECT_EQ(Call(http::verb::get, "/api/cameras/pen1").status, http::status::not_found);
}

TEST_F(ApiCamerasTest, SnapshotAndMjpegServeTheLiveCamera) {
  if (live::test::RtspServerBinary().empty()) GTEST_SKIP() << "pw_rtsp_test_server not built";
  RtspCamera rtsp;
  rtsp.Start();
  ASSERT_EQ(Call(http::verb::post, "/api/cameras", nlohmann::json{{"id", "pen"}, {"url", rtsp.url()}}.dump()).status,
            http::status::created);
  ASSERT_TRUE(WaitFor([&] { return Call(http::verb::get, "/api/cameras/pen/snapshot").status == http::status::ok; }, 10s));
  auto snap = Call(http::verb::get, "/api/snapshot");  // alias, first camera
  EXPECT_EQ(snap.status, http::status::ok);
  EXPECT_EQ(snap.headers[http::field::content_type], "image/jpeg");
  EXPECT_EQ(snap.body.substr(0, 2), "\xFF\xD8");
  auto mjpeg = Call(http::verb::get, "/api/video_feed?camera=pen");
  ASSERT_TRUE(mjpeg.source);
  EXPECT_NE(std::string(mjpeg.headers[http::field::content_type]).find("multipart/x-mixed-replace"), std::string::npos);
  for (int i = 0; i < 3; ++i) {
    std::promise<std::optional<std::string>> piece;
    mjpeg.source->Pull([&](std::optional<std::string> p) { piece.set_value(std::move(p)); });
    auto fut = piece.get_future();
    ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
    auto part = fut.get();
    ASSERT_TRUE(part);
    EXPECT_EQ(part->rfind("--pwframe\r\nContent-Type: image/jpeg\r\n", 0), 0u);
    EXPECT_NE(part->find("\r\n\r\n\xFF\xD8"), std::string::npos);
  }
  auto cam = cameras_->Find("pen");
  EXPECT_EQ((*cam)->mjpeg().viewers(), 1u);
  mjpeg.source.reset();
  EXPECT_EQ((*cam)->mjpeg().viewers(), 0u);
}

}  // namespace
}  // namespace pw::server
