#include <gtest/gtest.h>

#include "weighing/csv.h"

namespace pw::weighing {
namespace {

// RFC 4180 reader: rows of fields (quoted fields may hold separators, quotes and line breaks).
std::vector<std::vector<std::string>> ReadCsv(std::string_view text, char sep) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

store::WeighingRow Row(int64_t id, std::string note) {
  store::WeighingRow r;
  r.id = id;
  r.created_utc = "2026-11-29T06:00:00.000Z";
  r.created_local = "2026-11-29T09:00:00+03:00";
  r.station = "pen 1";
  r.source_json = R"({"kind":"video","video_id":"v1","t":12.25})";
  r.count = 53;
  r.auto_count = 52;
  r.override_count = true;
  r.total_kg = 1666.5;
  r.avg_kg = 31.44;
  r.confidence = 0.875;
  r.shares_json = R"({"estimate":true,"n":20,"cv_pct":8.5})";
  r.note = std::move(note);
  r.revision = 2;
  return r;
}

TEST(JournalCsv, RoundTripsEveryFieldWithCommas) {
  std::vector<store::WeighingRow> rows = {Row(1, "plain"), Row(2, "with, comma and \"quotes\"\nand a new line")};
  std::string csv = JournalCsv(rows, ',');
  auto parsed = ReadCsv(csv, ',');
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0], JournalCsvColumns());
  const auto& cols = JournalCsvColumns();
  auto at = [&](int row, const std::string& name) {
    return parsed[row][std::find(cols.begin(), cols.end(), name) - cols.begin()];
  };
  EXPECT_EQ(at(1, "id"), "1");
  EXPECT_EQ(at(2, "note"), "with, comma and \"quotes\"\nand a new line");
  EXPECT_EQ(at(1, "total_kg"), "1666.50");
  EXPECT_EQ(at(1, "avg_kg"), "31.44");
  EXPECT_EQ(at(1, "count"), "53");
  EXPECT_EQ(at(1, "auto_count"), "52");
  EXPECT_EQ(at(1, "override"), "1");
  EXPECT_EQ(at(1, "video_id"), "v1");
  EXPECT_EQ(at(1, "media_t_s"), "12.250");
  EXPECT_EQ(at(1, "cv_pct"), "8.50");
  EXPECT_EQ(at(1, "date_local"), "2026-11-29T09:00:00+03:00");
  for (const auto& r : parsed) EXPECT_EQ(r.size(), cols.size());
}

TEST(JournalCsv, SemicolonFlavourHasDecimalCommasAndAByteOrderMarkForExcel) {
  std::string csv = JournalCsv({Row(7, "Свиньи; группа 3")}, ';');
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  auto parsed = ReadCsv(std::string_view(csv).substr(3), ';');
  ASSERT_EQ(parsed.size(), 2u);
  const auto& cols = JournalCsvColumns();
  auto at = [&](const std::string& name) { return parsed[1][std::find(cols.begin(), cols.end(), name) - cols.begin()]; };
  EXPECT_EQ(at("total_kg"), "1666,50");
  EXPECT_EQ(at("avg_kg"), "31,44");
  EXPECT_EQ(at("note"), "Свиньи; группа 3");
}

TEST(JournalCsv, DefusesFormulasInTypedText) {
  auto parsed = ReadCsv(JournalCsv({Row(1, "=HYPERLINK(\"http://x\")")}, ','), ',');
  const auto& cols = JournalCsvColumns();
  EXPECT_EQ(parsed[1][std::find(cols.begin(), cols.end(), "note") - cols.begin()], "'=HYPERLINK(\"http://x\")");
}

}  // namespace
}  // namespace pw::weighing
