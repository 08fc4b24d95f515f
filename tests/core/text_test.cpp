// TrimBlanks and SplitList: what settings and header parsers share.
#include "core/text.h"

#include <gtest/gtest.h>

namespace pw::core {
namespace {

TEST(Text, TrimBlanksRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(TrimBlanks(" \t a b \t"), "a b");
  EXPECT_EQ(TrimBlanks("\na\r"), "\na\r");  // line ends are not blanks
  EXPECT_EQ(TrimBlanks("   "), "");
  EXPECT_EQ(TrimBlanks(""), "");
}

TEST(Text, SplitListTrimsItemsAndKeepsEmptyOnes) {
  EXPECT_EQ(SplitList(" 10.0.0.1, ::1 ,fd00::/8"), (std::vector<std::string_view>{"10.0.0.1", "::1", "fd00::/8"}));
  EXPECT_EQ(SplitList("a,,b,"), (std::vector<std::string_view>{"a", "", "b", ""}));
  EXPECT_EQ(SplitList(""), std::vector<std::string_view>{""});
  EXPECT_EQ(SplitList("k=v; x=y", ';'), (std::vector<std::string_view>{"k=v", "x=y"}));
}

}  // namespace
}  // namespace pw::core
