#include <gtest/gtest.h>

#include "library/count_series.h"

namespace pw::library {
namespace {

// Samples every 0.2 s with the given counts (stable where flagged).
std::vector<IndexSample> Series(const std::vector<int>& counts, const std::vector<bool>& stable = {}) {
  std::vector<IndexSample> out;
  for (size_t i = 0; i < counts.size(); ++i) {
    IndexSample s;
    s.t = 0.2 * static_cast<double>(i);
    s.count = counts[i];
    s.stable = i < stable.size() && stable[i];
    s.confidence = 0.5f;
    out.push_back(s);
  }
  return out;
}

TEST(NearestSample, PicksTheClosestTimeAndClampsAtTheEnds) {
  auto s = Series({1, 2, 3, 4});  // t = 0, 0.2, 0.4, 0.6
  EXPECT_EQ(*NearestSample(s, -5), 0u);
  EXPECT_EQ(*NearestSample(s, 0.0), 0u);
  EXPECT_EQ(*NearestSample(s, 0.29), 1u);
  EXPECT_EQ(*NearestSample(s, 0.31), 2u);
  EXPECT_EQ(*NearestSample(s, 0.3), 1u);  // a tie goes to the earlier frame
  EXPECT_EQ(*NearestSample(s, 99), 3u);
  EXPECT_FALSE(NearestSample({}, 1).has_value());
}

TEST(BucketCounts, GivesMinMaxAndModePerBucketAndNullForHoles) {
  auto s = Series({3, 3, 4, 3, 5, 5, 5, 6});  // 1.6 s
  s.erase(s.begin() + 4, s.begin() + 6);       // a hole from 0.8 to 1.2 s
  auto j = BucketCounts(s, 0, 1.6, 4);         // 0.4 s buckets
  EXPECT_EQ(j["min"], nlohmann::json::parse("[3, 3, null, 5]"));
  EXPECT_EQ(j["max"], nlohmann::json::parse("[3, 4, null, 6]"));
  EXPECT_EQ(j["n"], nlohmann::json::parse("[2, 2, 0, 2]"));
  EXPECT_EQ(j["mode"][0], 3);
  EXPECT_DOUBLE_EQ(j["bucket_s"].get<double>(), 0.4);
}

TEST(FindMoments, ReturnsStableSpansOfOneCountLongEnough) {
  //            0  1  2  3  4  5  6  7  8  9  10 11 12
  auto s = Series({5, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7},
                  {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1});
  auto moments = FindMoments(s, 1.0, 0.3);
  ASSERT_EQ(moments.size(), 1u);  // 6 from 0.2 to 1.4 s; the 7s are too short
  EXPECT_EQ(moments[0].count, 6);
  EXPECT_DOUBLE_EQ(moments[0].start, 0.2);
  EXPECT_DOUBLE_EQ(moments[0].end, 1.4);
  EXPECT_DOUBLE_EQ(moments[0].t, 0.2 * 4);  // the middle sample
}

TEST(FindMoments, AHoleInTheIndexEndsASpan) {
  auto s = Series({6, 6, 6, 6, 6, 6, 6, 6}, std::vector<bool>(8, true));
  s.erase(s.begin() + 3);  // 0.4 s between samples 2 and 4
  EXPECT_TRUE(FindMoments(s, 1.0, 0.3).empty());
  EXPECT_EQ(FindMoments(s, 0.6, 0.3).size(), 1u);
}

}  // namespace
}  // namespace pw::library
