// EngineStatus: a snapshot of the inference engine for /debug/infer_status and logs — model,
// state (+ reason), load timings, queues, counters, latency percentiles per phase, throughput.
// A value; ToJson() gives the served form.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "infer/latency_stats.h"
#include "infer/model_info.h"

namespace pw::infer {

enum class Priority { kInteractive = 0, kLive = 1, kBackground = 2 };
inline constexpr std::size_t kPriorityCount = 3;
std::string_view PriorityName(Priority p);

enum class EngineState { kNotLoaded, kImporting, kLoading, kReady, kFailed };
std::string_view EngineStateName(EngineState s);

struct EngineStatus {
  EngineState state = EngineState::kNotLoaded;
  std::string reason;                    // why kFailed (what to do), empty otherwise
  std::string model_path;
  std::optional<ModelInfo> model;        // once imported
  std::string backend;
  int workers = 0;
  int threads_per_net = 0;
  int max_batch = 0;
  std::vector<std::pair<std::string, double>> load_timings_ms;  // import phases, then workers
  std::array<std::size_t, kPriorityCount> queue_depth{};
  std::array<std::size_t, kPriorityCount> queue_quota{};
  std::array<std::uint64_t, kPriorityCount> fair_turns{};  // batches given by the minimum share
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected_busy = 0;       // dropped at once: queue full
  std::uint64_t timed_out = 0;           // deadline passed while queued, never run
  std::uint64_t cancelled = 0;           // shut down while queued
  std::uint64_t failed = 0;              // forward/pre-processing errors
  std::map<std::string, LatencySummary> latency;  // queue, pre, forward, post, total
  double throughput_fps = 0;             // completed per second, last 10 s
  double mean_batch = 0;                 // frames per worker batch

  nlohmann::json ToJson() const;
};

}  // namespace pw::infer
