#include "scale/line_splitter.h"

#include <gtest/gtest.h>

namespace pw::scale {
namespace {

using Lines = std::vector<std::string>;

TEST(ScaleLineSplitter, SplitsOnCrLfAndEtxAndSkipsEmptyLines) {
  LineSplitter s;
  EXPECT_EQ(s.Feed("A\r\nB\n\x02" "C\x03\r\n\r\n"), (Lines{"A", "B", "\x02" "C"}));
}

TEST(ScaleLineSplitter, JoinsALineSplitAcrossReads) {
  LineSplitter s;
  EXPECT_TRUE(s.Feed("ST,GS,+00").empty());
  EXPECT_EQ(s.Feed("56.0kg\r\nST"), (Lines{"ST,GS,+0056.0kg"}));
  EXPECT_EQ(s.Feed(",GS,+1kg\n"), (Lines{"ST,GS,+1kg"}));
}

TEST(ScaleLineSplitter, DropsAnOverlongLineUpToItsTerminatorAndCountsIt) {
  LineSplitter s;
  std::string longer(kMaxLineBytes + 10, 'Z');
  EXPECT_TRUE(s.Feed(longer).empty());
  EXPECT_TRUE(s.Feed(longer).empty());  // still the same line: pending stays bounded
  EXPECT_EQ(s.Feed("tail\r\nok\r\n"), (Lines{"ok"}));
  EXPECT_EQ(s.overlong_lines(), 1u);
  EXPECT_EQ(s.Feed(std::string(kMaxLineBytes, 'x') + "\n"), (Lines{std::string(kMaxLineBytes, 'x')}));
}

TEST(ScaleLineSplitter, ResetForgetsAPartialLine) {
  LineSplitter s;
  (void)s.Feed("ST,GS,+12");
  s.Reset();
  EXPECT_EQ(s.Feed("3kg\n"), (Lines{"3kg"}));
}

}  // namespace
}  // namespace pw::scale
