// RecordSchedule: window parsing and boundary math at fixed times of day (seconds since local
// midnight), including windows that cross midnight. DST is not modelled (see schedule.h).
#include <gtest/gtest.h>

#include "live/schedule.h"

namespace pw::live {
namespace {

constexpr int H = 3600, M = 60;

RecordSchedule Make(const std::vector<std::string>& w) {
  auto s = RecordSchedule::Parse(w);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : RecordSchedule{};
}

TEST(RecordScheduleTest, InsideAWindowGivesSecondsToItsEnd) {
  auto s = Make({"09:00-10:00"});
  auto d = s.Evaluate(9 * H + 15 * M);
  EXPECT_TRUE(d.in_window);
  EXPECT_EQ(d.seconds_to_change, 45 * M);
  EXPECT_TRUE(s.Evaluate(9 * H).in_window);         // start is inside
  EXPECT_FALSE(s.Evaluate(10 * H).in_window);       // end is outside
}

TEST(RecordScheduleTest, OutsideGivesSecondsToTheNextStartIncludingTomorrow) {
  auto s = Make({"09:00-10:00", "17:00-17:30"});
  EXPECT_EQ(s.Evaluate(8 * H).seconds_to_change, 1 * H);
  EXPECT_EQ(s.Evaluate(12 * H).seconds_to_change, 5 * H);
  auto late = s.Evaluate(18 * H);
  EXPECT_FALSE(late.in_window);
  EXPECT_EQ(late.seconds_to_change, 15 * H);  // 18:00 → 09:00 tomorrow
}

TEST(RecordScheduleTest, WindowCrossingMidnightRecordsOnBothSides) {
  auto s = Make({"22:00-02:00"});
  auto before = s.Evaluate(23 * H);
  EXPECT_TRUE(before.in_window);
  EXPECT_EQ(before.seconds_to_change, 3 * H);  // until 02:00, across midnight
  auto after = s.Evaluate(1 * H);
  EXPECT_TRUE(after.in_window);
  EXPECT_EQ(after.seconds_to_change, 1 * H);
  auto day = s.Evaluate(12 * H);
  EXPECT_FALSE(day.in_window);
  EXPECT_EQ(day.seconds_to_change, 10 * H);
  EXPECT_EQ(s.Evaluate(2 * H).seconds_to_change, 20 * H);
}

TEST(RecordScheduleTest, OverlappingAndTouchingWindowsMerge) {
  auto s = Make({"09:00-10:00", "09:30-11:00", "11:00-11:15"});
  auto d = s.Evaluate(9 * H + 10 * M);
  EXPECT_TRUE(d.in_window);
  EXPECT_EQ(d.seconds_to_change, 2 * H + 5 * M);  // until 11:15
}

TEST(RecordScheduleTest, WindowEndingAtMidnightContinuesIntoOneStartingAtMidnight) {
  auto s = Make({"23:00-24:00", "00:00-01:00"});
  EXPECT_EQ(s.Evaluate(23 * H + 30 * M).seconds_to_change, 90 * M);
  EXPECT_EQ(s.Evaluate(0).seconds_to_change, 1 * H);
}

TEST(RecordScheduleTest, AlwaysNeverChangesAndEmptyNeverRecords) {
  auto always = Make({"always"});
  EXPECT_TRUE(always.always());
  EXPECT_TRUE(always.Evaluate(5).in_window);
  EXPECT_FALSE(always.Evaluate(5).seconds_to_change.has_value());
  auto whole_day = Make({"00:00-24:00"});
  EXPECT_TRUE(whole_day.always());
  auto none = Make({});
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.Evaluate(9 * H).in_window);
  EXPECT_FALSE(none.Evaluate(9 * H).seconds_to_change.has_value());
}

TEST(RecordScheduleTest, SecondsInTimesAreHonoured) {
  auto s = Make({"09:00:30-09:00:45"});
  EXPECT_FALSE(s.Evaluate(9 * H + 29).in_window);
  EXPECT_EQ(s.Evaluate(9 * H + 29).seconds_to_change, 1);
  EXPECT_EQ(s.Evaluate(9 * H + 30).seconds_to_change, 15);
}

TEST(RecordScheduleTest, RejectsMalformedWindowsNamingThem) {
  for (const char* bad : {"9-10", "09:00", "09:00-09:00", "25:00-26:00", "09:60-10:00", "10:00-24:30",
                          "24:00-01:00", "09:00-10:00x", "nightly"}) {
    auto s = RecordSchedule::Parse({bad});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find(bad), std::string::npos) << s.status().message();
  }
}

TEST(RecordScheduleTest, CommaListFormOfTheSetting) {
  auto s = RecordSchedule::ParseList(" 09:00-10:00 , 17:00-17:30,");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->windows(), (std::vector<std::string>{"09:00-10:00", "17:00-17:30"}));
  auto off = RecordSchedule::ParseList("");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->empty());
  EXPECT_FALSE(RecordSchedule::ParseList("09:00-10:00,bad").ok());
}

TEST(RecordScheduleTest, AtGivesWallClockBoundariesConsistentWithEvaluate) {
  auto s = Make({"09:00-10:00"});
  const auto now = std::chrono::system_clock::now();
  auto m = s.At(now);
  if (m.in_window) {
    ASSERT_TRUE(m.window_end.has_value());
    EXPECT_GT(*m.window_end, now);
    EXPECT_LE(*m.window_end - now, std::chrono::hours(1));
  } else {
    ASSERT_TRUE(m.next_start.has_value());
    EXPECT_GT(*m.next_start, now);
    EXPECT_LE(*m.next_start - now, std::chrono::hours(24));
    EXPECT_FALSE(s.At(*m.next_start - std::chrono::seconds(1)).in_window);
    EXPECT_TRUE(s.At(*m.next_start).in_window);
  }
}

}  // namespace
}  // namespace pw::live
