#include "server/conditional.h"

#include <gtest/gtest.h>

#include "server/gzip.h"

#include <zlib.h>

namespace pw::server {
namespace {

TEST(Range, ParsesTheThreeSingleRangeForms) {
  auto a = ParseRange("bytes=0-99", 1000);
  ASSERT_EQ(a.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(a.range.start, 0u);
  EXPECT_EQ(a.range.end, 99u);
  auto open = ParseRange("bytes=900-", 1000);
  EXPECT_EQ(open.range.start, 900u);
  EXPECT_EQ(open.range.end, 999u);
  auto suffix = ParseRange("bytes=-100", 1000);
  EXPECT_EQ(suffix.range.start, 900u);
  EXPECT_EQ(suffix.range.end, 999u);
  auto clipped = ParseRange("bytes=990-5000", 1000);
  EXPECT_EQ(clipped.range.end, 999u);
  EXPECT_EQ(ParseRange("bytes=-5000", 1000).range.start, 0u);
}

TEST(Range, UnsatisfiableWhenStartIsPastTheEnd) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, RangeKind::kUnsatisfiable);
}

TEST(Range, IgnoresMalformedAndMultipleRanges) {
  for (const char* h : {"", "bytes", "items=0-1", "bytes=a-b", "bytes=5-1", "bytes=0-1,5-6", "bytes=--1"}) {
    EXPECT_EQ(ParseRange(h, 1000).kind, RangeKind::kNone) << h;
  }
}

TEST(Etag, ChangesWithSizeOrTime) {
  EXPECT_NE(MakeEtag(10, 1), MakeEtag(11, 1));
  EXPECT_NE(MakeEtag(10, 1), MakeEtag(10, 2));
  EXPECT_EQ(MakeEtag(10, 1).front(), '"');
}

TEST(Conditional, IfNoneMatchUsesWeakComparisonAndLists) {
  const std::string tag = "\"a-1\"";
  EXPECT_TRUE(IfNoneMatchHits("\"a-1\"", tag));
  EXPECT_TRUE(IfNoneMatchHits("W/\"a-1\"", tag));
  EXPECT_TRUE(IfNoneMatchHits("\"x\", \"a-1\"", tag));
  EXPECT_TRUE(IfNoneMatchHits("*", tag));
  EXPECT_FALSE(IfNoneMatchHits("\"a-2\"", tag));
}

TEST(Conditional, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  const std::time_t mtime = 1700000000;
  const std::string later = HttpDate(mtime + 10);
  EXPECT_TRUE(IsNotModified("", later, "\"t\"", mtime));
  EXPECT_FALSE(IsNotModified("", HttpDate(mtime - 10), "\"t\"", mtime));
  EXPECT_FALSE(IsNotModified("\"other\"", later, "\"t\"", mtime));  // ETag says changed
  EXPECT_FALSE(IsNotModified("", "not a date", "\"t\"", mtime));
}

TEST(Conditional, IfRangeNeedsAStrongMatch) {
  EXPECT_TRUE(IfRangeAllows("", "\"t\"", 5));
  EXPECT_TRUE(IfRangeAllows("\"t\"", "\"t\"", 5));
  EXPECT_FALSE(IfRangeAllows("\"u\"", "\"t\"", 5));
  EXPECT_FALSE(IfRangeAllows("W/\"t\"", "\"t\"", 5));
  EXPECT_TRUE(IfRangeAllows(HttpDate(5), "\"t\"", 5));
  EXPECT_FALSE(IfRangeAllows(HttpDate(6), "\"t\"", 5));
}

TEST(HttpDate, RoundTrips) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(*ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
}

TEST(Gzip, CompressesToAValidGzipStream) {
  std::string text(10000, 'a');
  std::string gz = Gzip(text);
  ASSERT_GT(gz.size(), 10u);
  EXPECT_LT(gz.size(), text.size() / 10);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(20000, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, text);
}

TEST(Gzip, HonoursAcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
}

}  // namespace
}  // namespace pw::server
