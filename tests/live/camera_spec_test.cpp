// Camera definitions: masked credentials, validation with the wrong field named, the cameras file
// (round trip, atomic replace, a damaged file reported), and the reconnect backoff.
#include <gtest/gtest.h>

#include "live/backoff.h"
#include "live/camera_file.h"
#include "live/camera_spec.h"
#include "support/test_support.h"

namespace pw::live {
namespace {

using namespace std::chrono_literals;

TEST(CameraSpec, MaskedUrlHidesThePasswordOnly) {
  EXPECT_EQ(MaskedUrl("rtsp://admin:s3cret@10.0.0.5:554/stream1"), "rtsp://admin:***@10.0.0.5:554/stream1");
  EXPECT_EQ(MaskedUrl("rtsp://admin@10.0.0.5/s"), "rtsp://admin:***@10.0.0.5/s");
  EXPECT_EQ(MaskedUrl("rtsp://10.0.0.5/a@b"), "rtsp://10.0.0.5/a@b");  // '@' in the path is no credential
  EXPECT_EQ(MaskedUrl("rtsp://u:p@ss@host/x"), "rtsp://u:***@host/x");
}

TEST(CameraSpec, PublicJsonNeverContainsThePassword) {
  CameraSpec s;
  ASSERT_TRUE(ApplyJson({{"id", "pen2"}, {"url", "rtsp://op:hunter2@cam/live"}}, true, &s).ok());
  EXPECT_EQ(PublicJson(s).dump().find("hunter2"), std::string::npos);
  EXPECT_NE(StoredJson(s).dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(s.name, "pen2");  // the name defaults to the id
}

TEST(CameraSpec, RejectsBadFieldsNamingTheField) {
  CameraSpec s;
  auto st = ApplyJson({{"id", "Bad Id"}, {"url", "rtsp://x/y"}}, true, &s);
  EXPECT_EQ(st.code(), core::Code::kInvalidArgument);
  EXPECT_EQ(st.field(), "id");
  st = ApplyJson({{"id", "a"}, {"url", "http://x/y"}}, true, &s);
  EXPECT_EQ(st.field(), "url");
  st = ApplyJson({{"id", "a"}, {"url", "rtsp://x/y"}, {"transport", "quic"}}, true, &s);
  EXPECT_EQ(st.field(), "transport");
  st = ApplyJson({{"id", "a"}, {"url", "rtsp://x/y"}, {"colour", "red"}}, true, &s);
  EXPECT_EQ(st.field(), "colour");
}

TEST(CameraSpec, EchoedMaskedUrlKeepsTheStoredPassword) {
  CameraSpec s;
  ASSERT_TRUE(ApplyJson({{"id", "a"}, {"url", "rtsp://u:pw@cam/1"}}, true, &s).ok());
  ASSERT_TRUE(ApplyJson({{"url", "rtsp://u:***@cam/1"}, {"name", "Pen"}}, false, &s).ok());
  EXPECT_EQ(s.url, "rtsp://u:pw@cam/1");
  EXPECT_EQ(s.name, "Pen");
  EXPECT_EQ(ApplyJson({{"id", "b"}}, false, &s).field(), "id");  // ids do not change
}

TEST(CameraFile, RoundTripsApiCamerasAndSkipsConfigOnes) {
  pw::test::TempDir dir;
  CameraSpec a, b;
  ASSERT_TRUE(ApplyJson({{"id", "a"}, {"url", "rtsp://u:p@h/1"}, {"transport", "udp"}, {"enabled", false}}, true, &a).ok());
  ASSERT_TRUE(ApplyJson({{"id", "cam1"}, {"url", "rtsp://h/2"}}, true, &b).ok());
  b.from_config = true;
  ASSERT_TRUE(SaveCameraFile(dir / "cameras.json", {a, b}).ok());
  auto loaded = LoadCameraFile(dir / "cameras.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].url, "rtsp://u:p@h/1");
  EXPECT_EQ((*loaded)[0].transport, Transport::kUdp);
  EXPECT_FALSE((*loaded)[0].enabled);
  EXPECT_FALSE(std::filesystem::exists(dir / "cameras.json.tmp"));
}

TEST(CameraFile, MissingFileIsAnEmptyListAndDamagedFileIsReported) {
  pw::test::TempDir dir;
  auto none = LoadCameraFile(dir / "cameras.json");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  pw::test::WriteFile(dir / "cameras.json", "{\"cameras\": [ {\"id\": ");
  auto bad = LoadCameraFile(dir / "cameras.json");
  EXPECT_EQ(bad.status().code(), core::Code::kUnprocessable);
  EXPECT_NE(bad.status().message().find("cameras.json"), std::string::npos);
}

TEST(Backoff, DoublesWithJitterUpToTheCapAndResets) {
  Backoff b(250ms, 2000ms);
  std::vector<std::chrono::milliseconds> d;
  for (int i = 0; i < 6; ++i) d.push_back(b.Next());
  EXPECT_GE(d[0], 125ms);
  EXPECT_LE(d[0], 250ms);
  EXPECT_GE(d[2], 500ms);
  EXPECT_LE(d[2], 1000ms);
  for (int i = 3; i < 6; ++i) {
    EXPECT_GE(d[i], 1000ms);
    EXPECT_LE(d[i], 2000ms);
  }
  b.Reset();
  EXPECT_LE(b.Next(), 250ms);
}

}  // namespace
}  // namespace pw::live
