// Compact binary forms of an index chunk: the per-sample counts (small; every chunk's summary is
// loaded at start for the timeline) and the per-sample instances (boxes, scores, areas, track ids
// and simplified polygons; decoded on demand). Floats are stored bit-exactly, so instances read
// back are identical to the ones the model produced (the indexer re-feeds them to the tracker).
// Little-endian, versioned; a blob that does not decode is an error, never a crash.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "infer/instance.h"

namespace pw::library {

struct IndexSample {
  double t = 0;           // media time of the sampled frame
  int64_t pts = 0;        // its PTS (video time base)
  int count = 0;          // consensus count
  int raw_count = 0;      // instances counted in this frame alone
  float confidence = 0;
  bool stable = false;
  double since = 0;       // media time the consensus count began
  int tracks = 0;
};

struct SampleInstances {
  std::vector<infer::Instance> instances;
  std::vector<int> track_ids;  // parallel; 0: untracked
};

std::string EncodeSummaries(const std::vector<IndexSample>& samples);
core::Result<std::vector<IndexSample>> DecodeSummaries(std::string_view blob);

std::string EncodeInstances(const std::vector<SampleInstances>& samples);
core::Result<std::vector<SampleInstances>> DecodeInstances(std::string_view blob);

}  // namespace pw::library
