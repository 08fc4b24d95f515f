#include "weighing/csv.h"

#include <optional>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pw::weighing {
namespace {

std::string Quote(std::string field, char sep) {
  if (!field.empty() && (field[0] == '=' || field[0] == '+' || field[0] == '-' || field[0] == '@')) {
    field.insert(field.begin(), '\'');
  }
  if (field.find_first_of(std::string{sep, '"', '\n', '\r'}) == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Number(double v, int decimals, char sep) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (sep == ';') {
    for (char& c : s) c = c == '.' ? ',' : c;
  }
  return s;
}

template <typename T>
std::string Opt(const std::optional<T>& v, int decimals, char sep) {
  if (!v) return "";
  if constexpr (std::is_integral_v<T>) {
    return std::to_string(*v);
  } else {
    return Number(*v, decimals, sep);
  }
}

}  // namespace

const std::vector<std::string>& JournalCsvColumns() {
  static const std::vector<std::string> columns = {
      "id",        "date_local", "time_utc", "station",  "source",     "video_id", "media_t_s", "camera_id",
      "count",     "auto_count", "override", "total_kg", "avg_kg",     "confidence", "cv_pct",  "note",
      "revision",  "deleted"};
  return columns;
}

std::string JournalCsv(const std::vector<store::WeighingRow>& rows, char sep) {
  std::string out;
  if (sep == ';') out = "\xEF\xBB\xBF";
  const auto& columns = JournalCsvColumns();
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? std::string(1, sep) : "") + columns[i];
  out += "\r\n";
  for (const auto& r : rows) {
    auto source = nlohmann::json::parse(r.source_json, nullptr, false);
    if (source.is_discarded() || !source.is_object()) source = nlohmann::json::object();
    auto shares = nlohmann::json::parse(r.shares_json.empty() ? "null" : r.shares_json, nullptr, false);
    std::optional<double> cv;
    if (shares.is_object() && shares.contains("cv_pct")) cv = shares["cv_pct"].get<double>();
    std::optional<double> media_t;
    if (source.contains("t") && source["t"].is_number()) media_t = source["t"].get<double>();
    std::vector<std::string> f = {
        std::to_string(r.id),
        Quote(r.created_local, sep),
        Quote(r.created_utc, sep),
        Quote(r.station, sep),
        Quote(source.value("kind", "manual"), sep),
        Quote(source.value("video_id", ""), sep),
        Opt(media_t, 3, sep),
        Quote(source.value("camera_id", ""), sep),
        std::to_string(r.count),
        Opt(r.auto_count, 0, sep),
        r.override_count ? "1" : "0",
        Number(r.total_kg, 2, sep),
        Number(r.avg_kg, 2, sep),
        Opt(r.confidence, 3, sep),
        Opt(cv, 2, sep),
        Quote(r.note, sep),
        std::to_string(r.revision),
        r.deleted_utc ? "1" : "0",
    };
    for (size_t i = 0; i < f.size(); ++i) out += (i ? std::string(1, sep) : "") + f[i];
    out += "\r\n";
  }
  return out;
}

}  // namespace pw::weighing
