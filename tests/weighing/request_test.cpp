#include <gtest/gtest.h>

#include "weighing/request.h"

namespace pw::weighing {
namespace {

using nlohmann::json;

std::string FieldOf(const core::Status& st) { return st.field(); }

TEST(ParseNewWeighing, AcceptsAVideoWeighingWithEveryField) {
  auto w = ParseNewWeighing(json::parse(R"({"count":53,"total_kg":1666.5,
      "source":{"kind":"video","video_id":"abc","t":12.5},"station":"pen 2","note":"утро",
      "auto_count":52,"raw_count":51,"confidence":0.93})"), {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(*w->count, 53);
  EXPECT_DOUBLE_EQ(w->total_kg, 1666.5);
  EXPECT_EQ(w->source.kind, Source::Kind::kVideo);
  EXPECT_EQ(w->source.video_id, "abc");
  EXPECT_DOUBLE_EQ(w->source.t, 12.5);
  EXPECT_EQ(w->station, "pen 2");
  EXPECT_EQ(w->note, "утро");
  EXPECT_EQ(*w->auto_count, 52);
  EXPECT_EQ(*w->raw_count, 51);
  EXPECT_DOUBLE_EQ(*w->confidence, 0.93);
}

TEST(ParseNewWeighing, TakesADecimalCommaInTypedWeights) {
  auto w = ParseNewWeighing(json::parse(R"({"count":2,"total_kg":"1234,5"})"), {});
  ASSERT_TRUE(w.ok());
  EXPECT_DOUBLE_EQ(w->total_kg, 1234.5);
  EXPECT_EQ(w->source.kind, Source::Kind::kManual);
}

TEST(ParseNewWeighing, NamesTheFieldOfEveryRejection) {
  WeighingLimits limits;
  limits.max_total_kg = 5000;
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"count":2})", "total_kg"},
      {R"({"count":2,"total_kg":0})", "total_kg"},
      {R"({"count":2,"total_kg":-5})", "total_kg"},
      {R"({"count":2,"total_kg":6000})", "total_kg"},
      {R"({"count":2,"total_kg":"heavy"})", "total_kg"},
      {R"({"count":0,"total_kg":100})", "count"},
      {R"({"count":2.5,"total_kg":100})", "count"},
      {R"({"count":"two","total_kg":100})", "count"},
      {R"({"count":2,"total_kg":100,"source":{"kind":"video","t":3}})", "source.video_id"},
      {R"({"count":2,"total_kg":100,"source":{"kind":"video","video_id":"x","t":-1}})", "source.t"},
      {R"({"count":2,"total_kg":100,"source":{"kind":"camera"}})", "source.camera_id"},
      {R"({"count":2,"total_kg":100,"source":{"kind":"scale"}})", "source.kind"},
      {R"({"count":2,"total_kg":100,"source":"cam1"})", "source"},
      {R"({"count":2,"total_kg":100,"note":7})", "note"},
      {R"({"count":2,"total_kg":100,"confidence":1.5})", "confidence"},
  };
  for (const auto& c : cases) {
    auto w = ParseNewWeighing(json::parse(c.body), limits);
    ASSERT_FALSE(w.ok()) << c.body;
    EXPECT_EQ(w.status().code(), core::Code::kUnprocessable) << c.body;
    EXPECT_EQ(FieldOf(w.status()), c.field) << c.body << " -> " << w.status().ToString();
  }
}

TEST(ParseNewWeighing, RejectsANonObjectBody) {
  auto w = ParseNewWeighing(json::array(), {});
  EXPECT_EQ(w.status().code(), core::Code::kInvalidArgument);
}

TEST(ParseAmendment, AcceptsTheEditableFieldsOnly) {
  auto a = ParseAmendment(json::parse(R"({"total_kg":1200,"note":"re-weighed","revision":3})"), {});
  ASSERT_TRUE(a.ok());
  EXPECT_DOUBLE_EQ(*a->total_kg, 1200);
  EXPECT_EQ(*a->note, "re-weighed");
  EXPECT_EQ(a->expected_revision, 3);
  EXPECT_FALSE(a->count.has_value());

  auto bad = ParseAmendment(json::parse(R"({"avg_kg":10})"), {});
  EXPECT_EQ(bad.status().field(), "avg_kg");
  EXPECT_EQ(ParseAmendment(json::parse(R"({"count":0})"), {}).status().field(), "count");
  EXPECT_EQ(ParseAmendment(json::object(), {}).status().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pw::weighing
