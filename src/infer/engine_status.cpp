#include "infer/engine_status.h"

namespace pw::infer {

std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kInteractive: return "interactive";
    case Priority::kLive: return "live";
    case Priority::kBackground: return "background";
  }
  return "unknown";
}

std::string_view EngineStateName(EngineState s) {
  switch (s) {
    case EngineState::kNotLoaded: return "not_loaded";
    case EngineState::kImporting: return "importing";
    case EngineState::kLoading: return "loading";
    case EngineState::kReady: return "ready";
    case EngineState::kFailed: return "failed";
  }
  return "unknown";
}

nlohmann::json EngineStatus::ToJson() const {
  nlohmann::json queues = nlohmann::json::object();
  for (std::size_t p = 0; p < kPriorityCount; ++p) {
    queues[std::string(PriorityName(static_cast<Priority>(p)))] = {{"depth", queue_depth[p]},
                                                                   {"quota", queue_quota[p]},
                                                                   {"fair_turns", fair_turns[p]}};
  }
  nlohmann::json lat = nlohmann::json::object();
  for (const auto& [phase, s] : latency) {
    lat[phase] = {{"p50_ms", s.p50_ms}, {"p95_ms", s.p95_ms}, {"samples", s.samples}};
  }
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& [phase, ms] : load_timings_ms) timings[phase] = ms;
  nlohmann::json j = {
      {"state", EngineStateName(state)},
      {"reason", reason},
      {"model_path", model_path},
      {"backend", backend},
      {"workers", workers},
      {"threads_per_net", threads_per_net},
      {"max_batch", max_batch},
      {"load_timings_ms", timings},
      {"queues", queues},
      {"counts", {{"submitted", submitted}, {"completed", completed}, {"rejected_busy", rejected_busy},
                  {"timed_out", timed_out}, {"cancelled", cancelled}, {"failed", failed}}},
      {"latency", lat},
      {"throughput_fps", throughput_fps},
      {"mean_batch", mean_batch},
  };
  if (model) {
    j["model"] = infer::ToJson(*model);
    j["hash"] = model->hash;
    j["task"] = TaskName(model->task);
    j["classes"] = model->class_names;
    j["input_size"] = {model->input_width, model->input_height};
  }
  return j;
}

}  // namespace pw::infer
