// Queries over a video's indexed samples (in time order): the sample nearest a time, the count
// series downsampled for the timeline graph, and the suggested weighing moments.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "library/count_codec.h"

namespace pw::library {

// Index of the sample whose time is nearest t (ties: the earlier); nullopt when empty.
std::optional<size_t> NearestSample(const std::vector<IndexSample>& samples, double t);

// `points` buckets over [from, to): per bucket the min, max and mode of the consensus count and
// the sample count n (buckets without samples are null):
// {"from","to","points","bucket_s","t":[bucket starts],"min":[..],"max":[..],"mode":[..],"n":[..]}
nlohmann::json BucketCounts(const std::vector<IndexSample>& samples, double from, double to, int points);

struct Moment {
  double start = 0, end = 0;  // media time span where the consensus was stable at `count`
  int count = 0;
  double t = 0;               // representative frame: the middle sample of the span
  double confidence = 0;      // mean over the span
};

// Spans of consecutive stable samples with one count, at least `min_seconds` long; samples more
// than `max_gap` apart (a hole in the index) end a span.
std::vector<Moment> FindMoments(const std::vector<IndexSample>& samples, double min_seconds, double max_gap);
nlohmann::json ToJson(const Moment& moment);

}  // namespace pw::library
