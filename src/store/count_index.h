// CountIndexStore: the background index of recorded videos — per sampled frame the count,
// consensus and instances — kept in chunks of media time so that indexing can stop anywhere
// (crash, restart, pause) and continue with the chunks still missing.
//
// An index is identified by its key: video content id + model hash + a hash of the counting
// parameters. A new model or new parameters make a new index; the old one is never mixed in
// (it stays, or is dropped, by the caller's policy).
// Durability: PutChunk commits the chunk in one transaction; a chunk is either whole or absent.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace pw::store {

struct IndexRow {
  std::string key;
  std::string video_id;
  std::string model_hash;
  std::string params_json;   // what the params hash covers, for display
  double sample_fps = 0;     // samples per second of media (0: every frame)
  double chunk_seconds = 0;
  int chunks_total = 0;
  std::string state;         // queued, running, paused, done, failed, cancelled
  std::string error;
  std::string created_at;
  std::string updated_at;
  int chunks_done = 0;       // filled by ListIndexes
  int64_t samples_done = 0;  // filled by ListIndexes
};

struct ChunkRow {
  int chunk = 0;
  double t_start = 0;        // media time of its first sample
  double t_end = 0;          // media time just after its last sample
  int samples = 0;
  std::string summary;       // compact per-sample counts (library/count_codec.h)
  std::string instances;     // compact per-sample instances
};

class CountIndexStore {
 public:
  virtual ~CountIndexStore() = default;
  // Creates the index row when missing (keeps an existing one's chunks and state).
  virtual core::Status UpsertIndex(const IndexRow& row) = 0;
  virtual core::Status SetIndexState(const std::string& key, const std::string& state, const std::string& error) = 0;
  // Every index of a video (empty id: of every video), newest first.
  virtual core::Result<std::vector<IndexRow>> ListIndexes(const std::string& video_id) = 0;
  virtual core::Status PutChunk(const std::string& key, const ChunkRow& chunk) = 0;
  // Chunk numbers, summaries and times (no instances): what is loaded at start.
  virtual core::Result<std::vector<ChunkRow>> ChunkSummaries(const std::string& key) = 0;
  virtual core::Result<std::optional<ChunkRow>> GetChunk(const std::string& key, int chunk) = 0;
  // Removes an index with its chunks.
  virtual core::Status DeleteIndex(const std::string& key) = 0;
};

}  // namespace pw::store
