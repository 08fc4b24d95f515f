// WeighingService: takes a weighing from the operator, completes it and keeps it in the journal.
//
// Create(): validates the input (422 naming the field), asks the EvidenceProvider for the picture
// of the source (a video frame at its media time, a camera's latest frame) with its instances,
// takes the automatic count from it when the operator gave none, computes the average and the
// per-animal estimate, draws the evidence JPEG (masks, numbers, count, weights) and stores it all
// in one transaction. A weighing is never refused because its evidence could not be made (the
// model still loading, a camera down): it is stored without evidence, and the answer says why.
// Amend(): changes count/total/note/station, recomputes the average, keeps the old values in the
// history. Delete(): soft, with history. Every change is published to `notify`.
//
// Thread-safety: all methods may be called from any thread; they block on the store (and, in
// Create, on the evidence provider), so call them off the network threads.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/status.h"
#include "infer/instance.h"
#include "store/journal.h"
#include "weighing/estimate.h"
#include "weighing/request.h"

namespace pw::weighing {

// The picture behind a weighing and what the model saw in it.
struct Evidence {
  cv::Mat frame;                       // BGR; empty when there is no picture
  double media_t = 0;                  // the frame's media time (videos)
  std::optional<std::pair<double, double>> span;  // the stable span the count comes from (videos)
  std::vector<infer::Instance> instances;
  std::vector<int> track_ids;          // parallel to instances (0: untracked); may be empty
  std::optional<int> auto_count;       // the proposed count (consensus when known)
  std::optional<int> raw_count;        // instances counted in this frame
  std::optional<double> confidence;
  std::string model_hash;
};
using EvidenceProvider = std::function<core::Result<Evidence>(const Source& source)>;

struct WeighingOptions {
  WeighingLimits limits;
  std::string default_station = "station1";  // STATION
  int jpeg_quality = 85;
  ShareOptions shares;
};

class WeighingService {
 public:
  using Notify = std::function<void(const nlohmann::json& event)>;

  WeighingService(WeighingOptions options, store::Journal& journal, EvidenceProvider evidence,
                  Notify notify = {});

  // → the stored record (as RecordJson), plus "warnings" when evidence could not be made.
  core::Result<nlohmann::json> Create(const nlohmann::json& body, const std::string& actor = "");
  core::Result<nlohmann::json> Get(int64_t id);
  // {"items":[record...],"total":N}
  core::Result<nlohmann::json> List(const store::JournalQuery& query);
  core::Result<nlohmann::json> Amend(int64_t id, const nlohmann::json& body, const std::string& actor = "");
  core::Status Delete(int64_t id, const std::string& actor = "");
  // Every matching row (no paging) as CSV; see csv.h.
  core::Result<std::string> Csv(store::JournalQuery query, char separator);
  core::Result<std::string> EvidenceJpeg(int64_t id);

  const WeighingOptions& options() const { return options_; }

 private:
  core::Result<nlohmann::json> Record(const store::WeighingRow& row);

  WeighingOptions options_;
  store::Journal& journal_;
  EvidenceProvider evidence_;
  Notify notify_;
};

// The API shape of a journal row (history included when given).
nlohmann::json RecordJson(const store::WeighingRow& row, const std::vector<store::WeighingHistoryRow>& history);

}  // namespace pw::weighing
