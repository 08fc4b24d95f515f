// Journal: the permanent record of weighings. Each row keeps what the operator saw and decided
// (count, who overrode it, total and average weight, source, note) plus its evidence (a JPEG with
// the masks drawn and the instances as JSON) and every earlier revision of the row: an amendment
// never overwrites silently, a delete is soft.
//
// Durability: each call is one transaction; when Insert/Update/SoftDelete return OK the change is
// on disk (SQLite WAL, synchronous=FULL) and survives a crash or power loss.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::store {

struct WeighingRow {
  int64_t id = 0;
  std::string created_utc;    // ISO 8601, e.g. 2026-11-29T06:12:03.250Z
  std::string created_local;  // the station's local time with its offset, e.g. 2026-11-29T09:12:03+03:00
  std::string station;
  std::string source_json;    // {"kind":"video","video_id":..,"t":..} | {"kind":"camera",..} | {"kind":"manual"}
  int count = 0;              // the count the average uses (auto or the operator's)
  std::optional<int> auto_count;   // the count PigWeight proposed, when it had one
  std::optional<int> raw_count;    // instances in the evidence frame
  std::optional<double> confidence;
  bool override_count = false;     // the operator replaced the proposed count
  double total_kg = 0;
  double avg_kg = 0;
  std::string shares_json;    // per-animal estimate summary (JSON) or empty
  std::string note;
  std::string model_hash;
  std::string created_by;
  bool has_evidence = false;
  std::optional<std::string> deleted_utc;
  int revision = 1;
};

// One earlier state of a row: the values `fields` had before revision `revision` + 1 replaced them.
struct WeighingHistoryRow {
  int revision = 0;
  std::string changed_utc;
  std::string action;         // "amend" or "delete"
  std::string actor;
  std::string old_json;       // {"total_kg": 1234.5, ...}: the previous values of the changed fields
};

struct JournalQuery {
  std::string from_date;      // YYYY-MM-DD (station local date), inclusive; empty: no bound
  std::string to_date;        // YYYY-MM-DD inclusive; empty: no bound
  std::string station;        // empty: all stations
  bool include_deleted = false;
  int limit = 50;
  int64_t offset = 0;
};

struct JournalPage {
  std::vector<WeighingRow> items;  // newest first
  int64_t total = 0;               // rows matching the query, all pages
};

class Journal {
 public:
  virtual ~Journal() = default;
  // Stores a new row (its id, revision and has_evidence are assigned here) with its evidence
  // (empty JPEG: none) in one transaction; returns the stored row.
  virtual core::Result<WeighingRow> Insert(const WeighingRow& row, const std::string& evidence_jpeg,
                                           const std::string& evidence_json) = 0;
  virtual core::Result<std::optional<WeighingRow>> Get(int64_t id) = 0;
  virtual core::Result<JournalPage> List(const JournalQuery& query) = 0;
  // Replaces the row's values with `row` (same id) if its revision is still `row.revision` - 1, and
  // records `history` (the old values) in the same transaction. kConflict when someone else changed
  // it first, kNotFound when there is no such row.
  virtual core::Status Update(const WeighingRow& row, const WeighingHistoryRow& history) = 0;
  virtual core::Result<std::vector<WeighingHistoryRow>> History(int64_t id) = 0;
  // The evidence JPEG and instances JSON; nullopt when the row has none.
  struct Evidence {
    std::string jpeg;
    std::string instances_json;
  };
  virtual core::Result<std::optional<Evidence>> GetEvidence(int64_t id) = 0;
  // Ids of the videos any weighing (deleted ones too) was taken from: kept by recording retention.
  virtual core::Result<std::vector<std::string>> ReferencedVideos() = 0;
};

}  // namespace pw::store
