// The "record" part of a camera's JSON: defaults, round trip through the stored form, and
// field-named errors (422 for windows and lengths that cannot be used, 400 for wrong types).
#include <gtest/gtest.h>

#include "live/camera_spec.h"

namespace pw::live {
namespace {

CameraSpec Base() {
  CameraSpec s;
  s.id = "pen1";
  s.url = "rtsp://127.0.0.1:8554/cam";
  return s;
}

TEST(RecordSpecTest, DefaultsToNoScheduleAndFiveMinuteSegments) {
  auto j = PublicJson(Base());
  EXPECT_EQ(j["record"]["schedule"], nlohmann::json::array());
  EXPECT_EQ(j["record"]["segment_seconds"], 300);
}

TEST(RecordSpecTest, AppliesScheduleAndSegmentLengthAndRoundTripsThroughTheStoredForm) {
  CameraSpec s = Base();
  auto st = ApplyJson({{"record", {{"schedule", {"09:00-10:00", "22:00-02:00"}}, {"segment_seconds", 60}}}}, false, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(s.record.schedule, (std::vector<std::string>{"09:00-10:00", "22:00-02:00"}));
  EXPECT_EQ(s.record.segment_seconds, 60);
  CameraSpec back;
  ASSERT_TRUE(ApplyJson(StoredJson(s), true, &back).ok());
  EXPECT_EQ(back.record, s.record);
  // A partial "record" keeps the fields it does not name.
  ASSERT_TRUE(ApplyJson({{"record", {{"segment_seconds", 120}}}}, false, &s).ok());
  EXPECT_EQ(s.record.schedule.size(), 2u);
  EXPECT_EQ(s.record.segment_seconds, 120);
}

TEST(RecordSpecTest, AcceptsTheCommaStringAndAlways) {
  CameraSpec s = Base();
  ASSERT_TRUE(ApplyJson({{"record", {{"schedule", "always"}}}}, false, &s).ok());
  EXPECT_EQ(s.record.schedule, std::vector<std::string>{"always"});
  ASSERT_TRUE(ApplyJson({{"record", {{"schedule", "09:00-10:00,17:00-17:30"}}}}, false, &s).ok());
  EXPECT_EQ(s.record.schedule.size(), 2u);
  ASSERT_TRUE(ApplyJson({{"record", {{"schedule", nlohmann::json::array()}}}}, false, &s).ok());
  EXPECT_TRUE(s.record.schedule.empty());
}

TEST(RecordSpecTest, RejectsBadWindowsWithTheFieldNamedAndLeavesTheSpecUnchanged) {
  CameraSpec s = Base();
  auto st = ApplyJson({{"record", {{"schedule", {"09:00-10:00", "25:00-26:00"}}}}}, false, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), core::Code::kUnprocessable);
  EXPECT_EQ(st.field(), "record.schedule");
  EXPECT_NE(st.message().find("25:00-26:00"), std::string::npos);
  EXPECT_TRUE(s.record.schedule.empty());

  st = ApplyJson({{"record", {{"segment_seconds", 0}}}}, false, &s);
  EXPECT_EQ(st.code(), core::Code::kUnprocessable);
  EXPECT_EQ(st.field(), "record.segment_seconds");

  st = ApplyJson({{"record", {{"segment_seconds", "300"}}}}, false, &s);
  EXPECT_EQ(st.code(), core::Code::kInvalidArgument);
  EXPECT_EQ(st.field(), "record.segment_seconds");

  st = ApplyJson({{"record", {{"schedule", {1, 2}}}}}, false, &s);
  EXPECT_EQ(st.field(), "record.schedule");

  st = ApplyJson({{"record", {{"keep_days", 3}}}}, false, &s);
  EXPECT_EQ(st.field(), "record.keep_days");

  st = ApplyJson({{"record", true}}, false, &s);
  EXPECT_EQ(st.field(), "record");
}

}  // namespace
}  // namespace pw::live
