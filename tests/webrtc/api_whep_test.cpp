// WHEP routes through the real Router, WhepServer and an in-process viewer.
#include "server/api_whep.h"

#include <gtest/gtest.h>

#include <future>

#include "support/test_support.h"
#include "webrtc/file_camera.h"
#include "webrtc/test_viewer.h"

namespace pw::server {
namespace {

class ApiWhepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webrtc::WhepOptions o;
    o.ice_addresses = {"127.0.0.1"};
    whep_ = std::make_unique<webrtc::WhepServer>(o, camera_);
    ASSERT_TRUE(whep_->Start().ok());
    AddWhepRoutes(router_, *whep_, pool_);
  }
  Response Call(http::verb method, const std::string& path, std::string body = {},
                std::string type = "application/sdp") {
    auto m = router_.Find(method, path);
    if (!m.handler) {
      Response r;
      r.status = m.allowed.empty() ? http::status::not_found : http::status::method_not_allowed;
      return r;
    }
    auto req = std::make_shared<Request>();
    req->msg.method(method);
    req->msg.set(http::field::content_type, type);
    req->msg.body() = std::move(body);
    req->path = path;
    req->params = m.params;
    std::promise<Response> got;
    (*m.handler)(req, [&](Response r) { got.set_value(std::move(r)); });
    return got.get_future().get();
  }

  test::TempDir dir_;
  test::FileCamera camera_{test::MakeH264File(dir_.path(), 2), "cam1"};
  core::ThreadPool pool_{"whep", 2, 8};
  std::unique_ptr<webrtc::WhepServer> whep_;
  Router router_;
};

TEST_F(ApiWhepTest, PostAnswersWithLocationAndDeleteEndsTheSession) {
  test::TestViewer viewer;
  Response r = Call(http::verb::post, "/api/cameras/cam1/whep", viewer.Offer());
  ASSERT_EQ(r.status, http::status::created) << r.body;
  EXPECT_EQ(r.headers[http::field::content_type], "application/sdp");
  const std::string location(r.headers[http::field::location]);
  ASSERT_EQ(location.rfind("/api/cameras/cam1/whep/", 0), 0u) << location;
  EXPECT_TRUE(viewer.Accept(r.body));
  EXPECT_EQ(nlohmann::json::parse(Call(http::verb::get, "/api/cameras/cam1/whep").body)["sessions"].size(), 1u);

  EXPECT_EQ(Call(http::verb::patch, location).status, http::status::method_not_allowed);
  EXPECT_EQ(Call(http::verb::delete_, location).status, http::status::no_content);
  EXPECT_EQ(whep_->session_count(), 0u);
  EXPECT_EQ(Call(http::verb::delete_, location).status, http::status::not_found);
}

TEST_F(ApiWhepTest, MapsErrorsToHttpStatuses) {
  test::TestViewer viewer;
  const std::string offer = viewer.Offer();
  EXPECT_EQ(Call(http::verb::post, "/api/cameras/nope/whep", offer).status, http::status::not_found);
  EXPECT_EQ(Call(http::verb::post, "/api/cameras/cam1/whep", "not sdp").status, http::status::bad_request);
  EXPECT_EQ(Call(http::verb::post, "/api/cameras/cam1/whep", offer, "application/json").status,
            http::status::unsupported_media_type);
}

}  // namespace
}  // namespace pw::server
