// Internal to the indexer: one video's indexing state (Indexer::Job), shared by indexer.cpp
// (scheduling, state, queries) and indexer_chunk.cpp (the decode → infer → count pipeline of a
// chunk). Guarded by Indexer::mu_ except where noted.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "library/indexer.h"

namespace pw::library {

struct Indexer::Job {
  std::string video_id;
  std::string key;
  VideoSource source;
  double duration = 0;
  double fps = 0;          // samples per second of media
  double offset = 0;       // time of sample 0
  int64_t samples_total = 0;
  int samples_per_chunk = 1;
  int chunks_total = 0;
  std::vector<std::shared_ptr<const std::vector<IndexSample>>> chunks;  // null: not indexed yet
  int chunks_done = 0;
  int64_t samples_done = 0;
  std::string state = "queued";
  std::string error;
  bool claimed = false;
  std::atomic<bool> abort{false};
  std::optional<int> playhead_chunk;
  std::chrono::steady_clock::time_point playhead_at;
  int next_hint = 0;
  uint64_t last_turn = 0;
  double busy_seconds = 0;
  std::atomic<int64_t> samples_computed{0};
  std::vector<store::IndexRow> others;
  uint64_t version = 0;  // bumped by every chunk that lands
  // Timeline series already computed for this version, by "from|to|points" (at most 32).
  std::map<std::string, std::pair<uint64_t, nlohmann::json>> counts_cache;

  double SampleTime(int64_t k) const { return offset + static_cast<double>(k) / fps; }
  int ChunkOfTime(double t) const {
    auto k = static_cast<int64_t>(std::floor((t - offset) * fps + 0.5));
    k = std::clamp<int64_t>(k, 0, samples_total - 1);
    return static_cast<int>(k / samples_per_chunk);
  }
  std::optional<int> NextChunk() const {
    if (playhead_chunk && !chunks[*playhead_chunk]) return playhead_chunk;
    for (int c = next_hint; c < chunks_total; ++c) {
      if (!chunks[c]) return c;
    }
    for (int c = 0; c < std::min(next_hint, chunks_total); ++c) {
      if (!chunks[c]) return c;
    }
    return std::nullopt;
  }
};

}  // namespace pw::library
