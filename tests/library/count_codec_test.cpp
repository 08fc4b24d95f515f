#include <gtest/gtest.h>

#include <cstring>

#include "library/count_codec.h"

namespace pw::library {
namespace {

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(CountCodec, SummariesRoundTrip) {
  std::vector<IndexSample> samples = {{0.2, 1800, 12, 11, 0.875f, true, 0.0, 12},
                                      {0.4, 3600, 13, 14, 0.1f, false, 0.4, 13}};
  auto back = DecodeSummaries(EncodeSummaries(samples));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*back)[i].t, samples[i].t);
    EXPECT_EQ((*back)[i].pts, samples[i].pts);
    EXPECT_EQ((*back)[i].count, samples[i].count);
    EXPECT_EQ((*back)[i].raw_count, samples[i].raw_count);
    EXPECT_TRUE(SameBits((*back)[i].confidence, samples[i].confidence));
    EXPECT_EQ((*back)[i].stable, samples[i].stable);
    EXPECT_EQ((*back)[i].since, samples[i].since);
    EXPECT_EQ((*back)[i].tracks, samples[i].tracks);
  }
}

TEST(CountCodec, InstancesRoundTripBitExactly) {
  infer::Instance a;
  a.box = {10.123456f, 20.5f, 100.75f, 40.0001f};
  a.score = 0.73216f;
  a.class_id = 2;
  a.area = 3456.789012345;
  a.polygon = {{10, 20}, {110, 21}, {109, 60}, {12, 59}};
  infer::Instance b = a;
  b.polygon.clear();
  std::vector<SampleInstances> samples = {{{a, b}, {7, 0}}, {{}, {}}};
  auto back = DecodeInstances(EncodeInstances(samples));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  const auto& s = (*back)[0];
  ASSERT_EQ(s.instances.size(), 2u);
  EXPECT_TRUE(SameBits(s.instances[0].box.x, a.box.x));
  EXPECT_TRUE(SameBits(s.instances[0].box.height, a.box.height));
  EXPECT_TRUE(SameBits(s.instances[0].score, a.score));
  EXPECT_EQ(s.instances[0].area, a.area);
  EXPECT_EQ(s.instances[0].class_id, 2);
  EXPECT_EQ(s.instances[0].polygon, a.polygon);
  EXPECT_TRUE(s.instances[1].polygon.empty());
  EXPECT_EQ(s.track_ids, (std::vector<int>{7, 0}));
  EXPECT_TRUE((*back)[1].instances.empty());
}

TEST(CountCodec, DamagedBlobsAreErrorsNotCrashes) {
  std::vector<SampleInstances> samples(3);
  infer::Instance a;
  a.polygon = {{1, 2}, {3, 4}, {5, 6}};
  samples[1].instances = {a, a};
  samples[1].track_ids = {1, 2};
  std::string blob = EncodeInstances(samples);
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    EXPECT_FALSE(DecodeInstances(std::string_view(blob).substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(DecodeInstances(blob + "x").ok());
  EXPECT_FALSE(DecodeSummaries("").ok());
  EXPECT_FALSE(DecodeSummaries(std::string("\x01\xff\xff\xff\xff", 5)).ok());
}

}  // namespace
}  // namespace pw::library
