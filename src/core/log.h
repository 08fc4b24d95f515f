// Logging set-up and the start-up timeline.
//
// Logs go to stderr through spdlog ("2026-11-28T10:00:00.123Z info [server] message key=value").
// The timeline records named start-up milestones with milliseconds since process start, both in
// the log ("timeline: store opened +12 ms") and for /readyz.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pw::core {

// Sets the global level ("trace", "debug", "info", "warn", "error", "off") and format.
Status InitLogging(std::string_view level);
bool IsValidLogLevel(std::string_view level);

class Timeline {
 public:
  // The process-wide timeline; its zero is the first call (made at the top of main).
  static Timeline& Get();
  void Mark(std::string name);
  std::vector<std::pair<std::string, double>> Marks() const;  // name, ms since start
  double MsSinceStart() const;

 private:
  Timeline();
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, double>> marks_;
};

}  // namespace pw::core
