#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pw::core {

bool IsValidLogLevel(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "error" || level == "off";
}

Status InitLogging(std::string_view level) {
  if (!IsValidLogLevel(level)) {
    return Status::InvalidArgument("unknown log level '" + std::string(level) +
                                   "' (trace, debug, info, warn, error, off)");
  }
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stderr_logger_mt("pigweight");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    // Warnings and errors reach the file at once; the rest (access log) is flushed every second.
    spdlog::flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
  });
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  return Status::Ok();
}

Timeline& Timeline::Get() {
  static Timeline timeline;
  return timeline;
}

Timeline::Timeline() : start_(std::chrono::steady_clock::now()) {}

double Timeline::MsSinceStart() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
      .count();
}

void Timeline::Mark(std::string name) {
  double ms = MsSinceStart();
  spdlog::info("timeline: {} +{:.1f} ms", name, ms);
  std::lock_guard lock(mu_);
  marks_.emplace_back(std::move(name), ms);
}

std::vector<std::pair<std::string, double>> Timeline::Marks() const {
  std::lock_guard lock(mu_);
  return marks_;
}

}  // namespace pw::core
