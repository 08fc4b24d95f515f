#include <gtest/gtest.h>

#include "weighing/auto_capture.h"

namespace pw::weighing {
namespace {

AutoCaptureOptions Options() {
  AutoCaptureOptions o;
  o.mode = AutoCaptureOptions::Mode::kSave;
  o.stable_seconds = 3;
  o.min_kg = 5;
  o.rearm_kg = 10;
  return o;
}

// Feeds scale and count every 0.5 s from `from` to `to`; returns the proposals.
std::vector<CaptureProposal> Feed(AutoCapture& a, double from, double to, double kg, bool kg_stable, int count,
                                 bool count_stable) {
  std::vector<CaptureProposal> out;
  for (double t = from; t < to; t += 0.5) {
    if (auto p = a.OnScale(kg, kg_stable, t)) out.push_back(*p);
    if (auto p = a.OnCount(count, count_stable, 0.9, t)) out.push_back(*p);
  }
  return out;
}

TEST(AutoCapture, CapturesOnceWhenWeightAndCountHaveBothBeenStableLongEnough) {
  AutoCapture a(Options());
  EXPECT_TRUE(Feed(a, 0, 5, 300, false, 10, false).empty());  // animals walking in
  EXPECT_TRUE(Feed(a, 5, 7, 612, true, 12, true).empty());    // settled, but not for 3 s yet
  auto p = Feed(a, 7, 30, 612, true, 12, true);               // and then standing for minutes
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].count, 12);
  EXPECT_DOUBLE_EQ(p[0].total_kg, 612);
  EXPECT_GE(p[0].at, 8.0);
  EXPECT_LE(p[0].at, 8.5);
}

TEST(AutoCapture, ACountThatKeepsChangingResetsTheWait) {
  AutoCapture a(Options());
  Feed(a, 0, 2, 612, true, 12, true);
  Feed(a, 2, 4, 612, true, 11, true);  // the count changed at 2 s: a new 3 s wait from there
  EXPECT_TRUE(Feed(a, 4, 4.9, 612, true, 12, true).empty());
  auto p = Feed(a, 4.9, 9, 612, true, 12, true);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_GE(p[0].at, 7.0);
}

TEST(AutoCapture, TheNextGroupIsCapturedAfterThePenEmpties) {
  AutoCapture a(Options());
  ASSERT_EQ(Feed(a, 0, 10, 612, true, 12, true).size(), 1u);
  EXPECT_TRUE(Feed(a, 10, 12, 612, true, 12, true).empty());
  Feed(a, 12, 14, 1, true, 0, true);  // empty pen
  auto p = Feed(a, 14, 25, 540, true, 11, true);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].count, 11);
}

TEST(AutoCapture, AClearlyDifferentLoadIsANewGroupWithoutEmptying) {
  AutoCapture a(Options());
  ASSERT_EQ(Feed(a, 0, 10, 612, true, 12, true).size(), 1u);
  EXPECT_TRUE(Feed(a, 10, 20, 615, true, 12, true).empty());  // wobble, same group
  auto p = Feed(a, 20, 30, 680, true, 13, true);                // one more animal walked on
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].count, 13);
}

TEST(AutoCapture, OffNeverProposesAndModesParse) {
  AutoCaptureOptions o = Options();
  o.mode = AutoCaptureOptions::Mode::kOff;
  AutoCapture a(o);
  EXPECT_TRUE(Feed(a, 0, 30, 612, true, 12, true).empty());
  EXPECT_EQ(*ParseCaptureMode("confirm"), AutoCaptureOptions::Mode::kConfirm);
  EXPECT_EQ(*ParseCaptureMode("save"), AutoCaptureOptions::Mode::kSave);
  EXPECT_FALSE(ParseCaptureMode("yes").ok());
}

}  // namespace
}  // namespace pw::weighing
