#include "scale/line_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

namespace pw::scale {
namespace {

Reading MustParse(std::string_view line, const LineFormat& f = {}) {
  auto r = ParseLine(line, f);
  EXPECT_TRUE(r.ok()) << "line '" << line << "': " << r.status().ToString();
  return r.ok() ? *r : Reading{};
}

core::Code ErrorOf(std::string_view line, const LineFormat& f = {}) { return ParseLine(line, f).status().code(); }

TEST(ScaleParseLine, ReadsStableGrossKilograms) {
  Reading r = MustParse("ST,GS,+0056.0kg\r\n");
  EXPECT_DOUBLE_EQ(r.kg, 56.0);
  EXPECT_EQ(r.unit, "kg");
  ASSERT_TRUE(r.indicator_stable.has_value());
  EXPECT_TRUE(*r.indicator_stable);
  EXPECT_FALSE(r.net);
}

TEST(ScaleParseLine, ReadsUnstableNetNegativePoundsWithSpaceBeforeUnit) {
  Reading r = MustParse("US,NT,-12.5 lb");
  EXPECT_DOUBLE_EQ(r.value, -12.5);
  EXPECT_EQ(r.unit, "lb");
  EXPECT_NEAR(r.kg, -12.5 * 0.45359237, 1e-12);
  EXPECT_FALSE(*r.indicator_stable);
  EXPECT_TRUE(r.net);
}

TEST(ScaleParseLine, ConvertsGramsTonnesAndPoundsToKilograms) {
  EXPECT_DOUBLE_EQ(MustParse("ST,GS,+56000g").kg, 56.0);
  EXPECT_DOUBLE_EQ(MustParse("ST,GS,+1.250t").kg, 1250.0);
  EXPECT_NEAR(MustParse("ST,GS,+0100.0LBS").kg, 45.359237, 1e-9);
  EXPECT_EQ(MustParse("ST,GS,+0100.0LBS").unit, "lb");
  EXPECT_EQ(MustParse("ST,GS,+0100.0KG").unit, "kg");
}

TEST(ScaleParseLine, ReadsBareNumbersWithoutStabilityFlag) {
  Reading a = MustParse("  56.0 kg");
  EXPECT_DOUBLE_EQ(a.kg, 56.0);
  EXPECT_FALSE(a.indicator_stable.has_value());
  Reading b = MustParse("0056.0");
  EXPECT_DOUBLE_EQ(b.kg, 56.0);
  EXPECT_EQ(b.unit, "kg");
  EXPECT_DOUBLE_EQ(MustParse("- 3").kg, -3.0);
  EXPECT_DOUBLE_EQ(MustParse("+0001234.5").kg, 1234.5);
}

TEST(ScaleParseLine, BareNumberUsesTheFormatsDefaultUnit) {
  auto f = LineFormat::FromSpec("default", "lb");
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(MustParse("100", *f).kg, 45.359237, 1e-9);
}

TEST(ScaleParseLine, ToleratesStxEtxCrLfFraming) {
  EXPECT_DOUBLE_EQ(MustParse("\x02ST,GS,+0056.0kg\x03\r\n").kg, 56.0);
  EXPECT_DOUBLE_EQ(MustParse("\r\nST,GS,  +56.0 kg  \r").kg, 56.0);
}

TEST(ScaleParseLine, RejectsGarbageWithUnprocessableAndAClearMessage) {
  for (std::string_view bad : {"", "\r\n", "hello", "ST,GS,", "ST,GS,+00x6.0kg", "ST,GS,+56.0.0kg",
                               "XX,GS,+56.0kg", "ST,GS,+56.0kgs", "ST,GS,+56.0 kg extra", "ST,GS,1e5kg",
                               "ST,GS,+", ".", "ST,,GS,+56kg", "a,b,c,d,e,f,1", "ST,GS,12345678901234567kg"}) {
    auto r = ParseLine(bad, {});
    ASSERT_FALSE(r.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(r.status().code(), core::Code::kUnprocessable) << bad;
    EXPECT_NE(r.status().message().find("not a weight"), std::string::npos) << r.status().message();
  }
}

TEST(ScaleParseLine, RejectsControlAndNonAsciiBytesInsideTheLine) {
  EXPECT_EQ(ErrorOf(std::string_view("ST,GS,\x01+56kg", 11)), core::Code::kUnprocessable);
  EXPECT_EQ(ErrorOf("ST,GS,+56\xff" "kg"), core::Code::kUnprocessable);
  EXPECT_EQ(ErrorOf(std::string_view("56\0kg", 5)), core::Code::kUnprocessable);
}

TEST(ScaleParseLine, ReportsOverloadAsAnErrorNotAWeight) {
  auto r = ParseLine("OL,GS,+9999.9kg", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("overload"), std::string::npos);
}

TEST(ScaleParseLine, DropsOverlongLinesAsTooLarge) {
  std::string line = "ST,GS,+0056.0kg" + std::string(kMaxLineBytes, ' ');
  EXPECT_EQ(ErrorOf(line), core::Code::kTooLarge);
  EXPECT_TRUE(ParseLine(std::string(kMaxLineBytes - 4, ' ') + "56kg", {}).ok());
}

TEST(ScaleLineFormat, RegexWithNamedRolesReadsAnotherIndicatorsLines) {
  auto f = LineFormat::FromSpec(R"(regex:W(?:T)?\s*(?<stable>[SU])\s+(?<net>[GN])\s+(?<value>[-+]?\s*[0-9.]+)\s*(?<unit>kg|lb)?)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Reading r = MustParse("WT S N -0012.50 lb\r\n", *f);
  EXPECT_NEAR(r.kg, -12.5 * 0.45359237, 1e-9);
  EXPECT_TRUE(*r.indicator_stable);
  EXPECT_TRUE(r.net);
  Reading no_unit = MustParse("W U G 56", *f);
  EXPECT_DOUBLE_EQ(no_unit.kg, 56.0);
  EXPECT_FALSE(*no_unit.indicator_stable);
  EXPECT_FALSE(no_unit.net);
  EXPECT_EQ(ErrorOf("ST,GS,+0056.0kg", *f), core::Code::kUnprocessable);
}

TEST(ScaleLineFormat, RegexGroupNumbersCountPlainGroupsAndIgnoreClassesAndEscapes) {
  auto f = LineFormat::FromSpec(R"(regex:([(]?)\((x)\)(?<value>[0-9]+)(?:k)?(?<unit>g))");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->value_group, 3);
  EXPECT_EQ(f->unit_group, 4);
  EXPECT_DOUBLE_EQ(MustParse("((x)500g", *f).kg, 0.5);
}

TEST(ScaleLineFormat, RegexWithoutStableGroupLeavesStabilityToTheDetector) {
  auto f = LineFormat::FromSpec(R"(regex:(?:ST|US),GS,(?<value>[-+0-9.]+)(?<unit>kg))");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(MustParse("ST,GS,+0056.0kg", *f).indicator_stable.has_value());
}

TEST(ScaleLineFormat, RejectsBadSpecsWithInvalidArgument) {
  EXPECT_EQ(LineFormat::FromSpec("csv").status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(LineFormat::FromSpec("regex:([0-9]+)").status().code(), core::Code::kInvalidArgument);   // no value group
  EXPECT_EQ(LineFormat::FromSpec("regex:(?<value>[0-9+)").status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(LineFormat::FromSpec("regex:(?<weight>[0-9]+)").status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(LineFormat::FromSpec("regex:(?<value>1)(?<value>2)").status().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(LineFormat::FromSpec("default", "stone").status().code(), core::Code::kInvalidArgument);
  EXPECT_TRUE(LineFormat::FromSpec("").ok());
}

}  // namespace
}  // namespace pw::scale

namespace pw::scale {
namespace {

// A cheap stand-in for the fuzzer (issue 10): random and mutated lines never crash or throw,
// and whatever is accepted is a finite weight.
TEST(ScaleParseLine, SurvivesRandomAndMutatedBytes) {
  std::mt19937 rng(12345);
  auto regex = LineFormat::FromSpec(R"(regex:(?<stable>[SU]T),(?<net>[GN][ST]),(?<value>[-+ 0-9.]+)(?<unit>[a-z]*))");
  ASSERT_TRUE(regex.ok());
  const std::string seed = "ST,GS,+0056.0kg\r\n";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = seed;
    if (i % 2) {
      line.assign(rng() % 300, '\0');
      for (char& c : line) c = static_cast<char>(rng() % 256);
    } else {
      for (int m = 0; m < 3; ++m) line[rng() % line.size()] = "0123456789+-., ,STUGNkglbt\x02\x03\r"[rng() % 30];
    }
    for (const LineFormat& f : {LineFormat{}, *regex}) {
      auto r = ParseLine(line, f);
      if (r.ok()) {
        ++accepted;
        EXPECT_TRUE(std::isfinite(r->kg)) << line;
      } else {
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
  EXPECT_GT(accepted, 100);  // the mutations keep some lines valid: the loop exercised both paths
}

// Found by fuzz/scale_line_fuzz: a back-reference like \6666666666666666666 made libstdc++'s regex
// compiler overflow a signed long (undefined behaviour); huge repeat counts blow up its NFA.
TEST(ScaleLineFormat, RejectsRepeatCountsAndBackReferencesAbove999) {
  for (const char* spec : {R"(regex:(?<value>[0-9]+)\6666666666666666666)", "regex:(?<value>[0-9]{1,99999999})",
                           "regex:(?<value>[0-9]{10000})", R"(regex:(?<value>[0-9]+)\1000)"}) {
    auto f = LineFormat::FromSpec(spec);
    ASSERT_FALSE(f.ok()) << spec;
    EXPECT_EQ(f.status().code(), core::Code::kInvalidArgument) << spec;
    EXPECT_NE(f.status().message().find("too large"), std::string::npos) << f.status().message();
  }
  // Ordinary numbers stay fine: in repeats, back-references, classes and literals.
  for (const char* spec : {R"(regex:(?<value>[0-9]{1,999})\s*(?<unit>kg)?)", R"(regex:(a)\1(?<value>[0-9]+))",
                           "regex:W123456789 (?<value>[0-9]+)", R"(regex:[\d{12345}](?<value>[0-9]+))"}) {
    EXPECT_TRUE(LineFormat::FromSpec(spec).ok()) << spec << ": " << LineFormat::FromSpec(spec).status().message();
  }
  EXPECT_DOUBLE_EQ(MustParse("W123456789 56.5", LineFormat::FromSpec("regex:W123456789 (?<value>[0-9.]+)").value()).kg, 56.5);
}

}  // namespace
}  // namespace pw::scale
