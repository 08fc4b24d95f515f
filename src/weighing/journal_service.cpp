#include "weighing/journal_service.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "infer/overlay.h"
#include "media/image.h"
#include "weighing/clock.h"
#include "weighing/csv.h"

namespace pw::weighing {
namespace {

nlohmann::json ParseOr(const std::string& text, nlohmann::json fallback) {
  if (text.empty()) return fallback;
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

std::string DefaultStation(const Source& source, const std::string& fallback) {
  return source.kind == Source::Kind::kCamera ? source.camera_id : fallback;
}

nlohmann::json InstancesJson(const Evidence& ev) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < ev.instances.size(); ++i) {
    auto j = infer::ToJson(ev.instances[i]);
    if (i < ev.track_ids.size()) j["track_id"] = ev.track_ids[i];
    list.push_back(std::move(j));
  }
  return list;
}

std::string Kg(double v) { return fmt::format("{:.2f} kg", v); }

}  // namespace

nlohmann::json RecordJson(const store::WeighingRow& r, const std::vector<store::WeighingHistoryRow>& history) {
  auto opt = [](const auto& v) -> nlohmann::json { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& h : history) {
    hist.push_back({{"revision", h.revision}, {"changed_utc", h.changed_utc}, {"action", h.action},
                    {"actor", h.actor}, {"by", h.actor}, {"at", h.changed_utc},
                    {"fields", ParseOr(h.old_json, nlohmann::json::object())}});
  }
  return {{"id", r.id},
          {"created_utc", r.created_utc},
          {"created_local", r.created_local},
          {"station", r.station},
          {"source", ParseOr(r.source_json, {{"kind", "manual"}})},
          {"count", r.count},
          {"auto_count", opt(r.auto_count)},
          {"raw_count", opt(r.raw_count)},
          {"confidence", opt(r.confidence)},
          {"override", r.override_count},
          {"total_kg", r.total_kg},
          {"avg_kg", r.avg_kg},
          {"shares", ParseOr(r.shares_json, nullptr)},
          {"note", r.note},
          {"model_hash", r.model_hash},
          {"created_by", r.created_by},
          {"evidence_url", r.has_evidence ? nlohmann::json("/api/weighings/" + std::to_string(r.id) + "/evidence.jpg")
                                          : nlohmann::json(nullptr)},
          {"deleted", r.deleted_utc.has_value()},
          {"deleted_utc", opt(r.deleted_utc)},
          {"revision", r.revision},
          {"history", std::move(hist)}};
}

WeighingService::WeighingService(WeighingOptions options, store::Journal& journal, EvidenceProvider evidence,
                                 Notify notify)
    : options_(std::move(options)), journal_(journal), evidence_(std::move(evidence)), notify_(std::move(notify)) {}

core::Result<nlohmann::json> WeighingService::Create(const nlohmann::json& body, const std::string& actor) {
  auto input = ParseNewWeighing(body, options_.limits);
  if (!input.ok()) return input.status();
  NewWeighing& w = *input;

  std::vector<std::string> warnings;
  Evidence ev;
  if (w.source.kind != Source::Kind::kManual && evidence_) {
    auto got = evidence_(w.source);
    if (got.ok()) {
      ev = std::move(got).value();
    } else if (got.status().code() == core::Code::kNotFound) {
      return got.status().WithField(w.source.kind == Source::Kind::kVideo ? "source.video_id" : "source.camera_id");
    } else {
      warnings.push_back("stored without evidence: " + got.status().message());
    }
  }

  store::WeighingRow row;
  std::optional<int> proposed = w.auto_count ? w.auto_count : ev.auto_count;
  if (!w.count && !proposed) {
    return core::Status::Unprocessable("count: is required (no automatic count is available for this source)")
        .WithField("count");
  }
  row.count = w.count.value_or(proposed.value_or(0));
  PW_RETURN_IF_ERROR(CheckCount(row.count, options_.limits));
  row.auto_count = proposed;
  row.override_count = proposed.has_value() && *proposed != row.count;
  row.raw_count = w.raw_count ? w.raw_count : ev.raw_count;
  row.confidence = w.confidence ? w.confidence : ev.confidence;
  row.total_kg = w.total_kg;
  row.avg_kg = AverageKg(w.total_kg, row.count);
  Source source = w.source;
  if (source.kind == Source::Kind::kVideo && !ev.frame.empty()) source.t = ev.media_t;
  nlohmann::json source_json = ToJson(source);
  if (source.kind == Source::Kind::kVideo) {
    source_json["t_requested"] = w.source.t;
    if (ev.span) source_json["stable_span"] = {ev.span->first, ev.span->second};
  }
  row.source_json = source_json.dump();
  row.station = w.station.empty() ? DefaultStation(w.source, options_.default_station) : w.station;
  row.note = w.note;
  row.model_hash = ev.model_hash;
  row.created_by = actor;
  Stamp now = Now();
  row.created_utc = now.utc;
  row.created_local = now.local;

  std::string jpeg, instances_json;
  if (!ev.frame.empty()) {
    auto shares = EstimateShares(ev.instances, ev.frame.size(), row.count, row.total_kg, options_.shares);
    if (shares) row.shares_json = ToJson(*shares).dump();
    infer::OverlayOptions overlay;
    overlay.header = {fmt::format("Count {}{}", row.count, row.override_count ? " (operator)" : ""),
                      fmt::format("Total {}  Avg {}", Kg(row.total_kg), Kg(row.avg_kg)),
                      fmt::format("{} {}", row.station, row.created_local)};
    cv::Mat picture = ev.frame.clone();
    infer::DrawOverlay(picture, ev.instances, ev.track_ids, overlay);
    auto encoded = media::EncodeJpeg(picture, options_.jpeg_quality);
    if (encoded.ok()) {
      jpeg = std::move(encoded).value();
      instances_json = InstancesJson(ev).dump();
    } else {
      warnings.push_back("stored without evidence: " + encoded.status().message());
    }
  }

  auto stored = journal_.Insert(row, jpeg, instances_json);
  if (!stored.ok()) return stored.status().WithContext("saving the weighing");
  spdlog::info("journal: weighing {} saved: {} animals, {:.2f} kg total, {:.2f} kg average ({}){}", stored->id,
               stored->count, stored->total_kg, stored->avg_kg, stored->station,
               stored->override_count ? ", count set by the operator" : "");
  nlohmann::json record = RecordJson(*stored, {});
  if (notify_) notify_({{"type", "weighing"}, {"action", "created"}, {"weighing", record}});
  if (!warnings.empty()) record["warnings"] = warnings;
  return record;
}

core::Result<nlohmann::json> WeighingService::Record(const store::WeighingRow& row) {
  auto history = journal_.History(row.id);
  if (!history.ok()) return history.status();
  return RecordJson(row, *history);
}

core::Result<nlohmann::json> WeighingService::Get(int64_t id) {
  auto row = journal_.Get(id);
  if (!row.ok()) return row.status();
  if (!*row) return core::Status::NotFound("no weighing " + std::to_string(id));
  return Record(**row);
}

core::Result<nlohmann::json> WeighingService::List(const store::JournalQuery& query) {
  auto page = journal_.List(query);
  if (!page.ok()) return page.status();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : page->items) items.push_back(RecordJson(row, {}));
  return nlohmann::json{{"items", std::move(items)}, {"total", page->total}, {"limit", query.limit},
                        {"offset", query.offset}};
}

core::Result<nlohmann::json> WeighingService::Amend(int64_t id, const nlohmann::json& body, const std::string& actor) {
  auto change = ParseAmendment(body, options_.limits);
  if (!change.ok()) return change.status();
  auto current = journal_.Get(id);
  if (!current.ok()) return current.status();
  if (!*current) return core::Status::NotFound("no weighing " + std::to_string(id));
  store::WeighingRow row = **current;
  if (row.deleted_utc) return core::Status::Conflict("weighing " + std::to_string(id) + " is deleted");
  if (change->expected_revision != 0 && change->expected_revision != row.revision) {
    return core::Status::Conflict(fmt::format("weighing {} is at revision {}, not {}: reload it and try again", id,
                                              row.revision, change->expected_revision));
  }
  nlohmann::json old = nlohmann::json::object();
  if (change->count && *change->count != row.count) {
    old["count"] = row.count;
    row.count = *change->count;
    row.override_count = !row.auto_count || *row.auto_count != row.count;
  }
  if (change->total_kg && *change->total_kg != row.total_kg) {
    old["total_kg"] = row.total_kg;
    row.total_kg = *change->total_kg;
  }
  if (change->note && *change->note != row.note) {
    old["note"] = row.note;
    row.note = *change->note;
  }
  if (change->station && *change->station != row.station) {
    old["station"] = row.station;
    row.station = *change->station;
  }
  if (old.empty()) return Record(row);  // nothing differs: no new revision
  if (old.contains("count") || old.contains("total_kg")) {
    old["avg_kg"] = row.avg_kg;
    row.avg_kg = AverageKg(row.total_kg, row.count);
    if (!row.shares_json.empty()) {
      // Each estimate is k·area^1.5 with k = total / (n + unmeasured)·mean(area^1.5): a new total
      // or count rescales them all by the same factor; the spread (CV) does not change.
      auto shares = nlohmann::json::parse(row.shares_json, nullptr, false);
      if (!shares.is_discarded() && shares.is_object()) {
        int n = shares.value("n", 0);
        double old_total = old.value("total_kg", row.total_kg);
        int old_count = old.value("count", row.count);
        double factor = (row.total_kg / old_total) * std::max(old_count, n) / std::max(row.count, n);
        for (const char* key : {"mean_kg", "min_kg", "max_kg"}) {
          shares[key] = std::round(shares.value(key, 0.0) * factor * 100.0) / 100.0;
        }
        shares["count"] = row.count;
        row.shares_json = shares.dump();
      }
    }
  }
  row.revision += 1;
  store::WeighingHistoryRow history{row.revision - 1, Now().utc, "amend", actor, old.dump()};
  PW_RETURN_IF_ERROR(journal_.Update(row, history));
  spdlog::info("journal: weighing {} amended to revision {} (changed: {})", id, row.revision, old.dump());
  auto record = Get(id);
  if (record.ok() && notify_) notify_({{"type", "weighing"}, {"action", "amended"}, {"weighing", *record}});
  return record;
}

core::Status WeighingService::Delete(int64_t id, const std::string& actor) {
  auto current = journal_.Get(id);
  if (!current.ok()) return current.status();
  if (!*current) return core::Status::NotFound("no weighing " + std::to_string(id));
  store::WeighingRow row = **current;
  if (row.deleted_utc) return core::Status::Ok();  // already deleted: idempotent
  Stamp now = Now();
  row.deleted_utc = now.utc;
  row.revision += 1;
  store::WeighingHistoryRow history{row.revision - 1, now.utc, "delete", actor, R"({"deleted":false})"};
  PW_RETURN_IF_ERROR(journal_.Update(row, history));
  spdlog::info("journal: weighing {} deleted (kept in the database, hidden from lists)", id);
  if (notify_) notify_({{"type", "weighing"}, {"action", "deleted"}, {"id", id}});
  return core::Status::Ok();
}

core::Result<std::string> WeighingService::Csv(store::JournalQuery query, char separator) {
  std::vector<store::WeighingRow> rows;
  query.offset = 0;
  query.limit = 1000;
  for (;;) {
    auto page = journal_.List(query);
    if (!page.ok()) return page.status();
    for (auto& r : page->items) rows.push_back(std::move(r));
    if (page->items.size() < static_cast<size_t>(query.limit)) break;
    query.offset += query.limit;
  }
  return JournalCsv(rows, separator);
}

core::Result<std::string> WeighingService::EvidenceJpeg(int64_t id) {
  auto ev = journal_.GetEvidence(id);
  if (!ev.ok()) return ev.status();
  if (!*ev) return core::Status::NotFound("weighing " + std::to_string(id) + " has no evidence picture");
  return std::move((*ev)->jpeg);
}

}  // namespace pw::weighing
