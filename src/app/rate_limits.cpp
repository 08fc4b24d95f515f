#include "app/rate_limits.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

namespace pw::app {
namespace {

using server::http::verb;

struct LimitedClass {
  const char* name;
  std::string core::Config::*setting;
  const char* env;
  std::vector<std::pair<verb, const char*>> routes;
};

const std::vector<LimitedClass>& Classes() {
  static const std::vector<LimitedClass> classes = {
      {"frames", &core::Config::rate_limit_frames, "RATE_LIMIT_FRAMES",
       {{verb::get, "/api/videos/{id}/frame"},
        {verb::get, "/api/video_file/count_at_time"},
        {verb::get, "/api/videos/{id}/count"},
        {verb::get, "/api/cameras/{id}/snapshot"},
        {verb::get, "/api/snapshot"}}},
      {"upload", &core::Config::rate_limit_uploads, "RATE_LIMIT_UPLOADS",
       {{verb::post, "/api/uploads"}, {verb::patch, "/api/uploads/{id}"}, {verb::post, "/api/videos"}}},
      {"WebRTC", &core::Config::rate_limit_whep, "RATE_LIMIT_WHEP", {{verb::post, "/api/cameras/{id}/whep"}}},
  };
  return classes;
}

}  // namespace

core::Result<std::shared_ptr<RateLimiters>> InstallRateLimits(server::Router& router, const core::Config& config,
                                                              server::Metrics& metrics) {
  auto limiters = std::make_shared<RateLimiters>();
  for (const LimitedClass& c : Classes()) {
    auto rate = core::ParseRate(config.*c.setting);
    if (!rate.ok()) return core::Status::InvalidArgument(std::string(c.env) + ": " + rate.status().message());
    if (!*rate) {
      spdlog::info("rate limit {}: off", c.env);
      continue;
    }
    auto limiter = std::make_unique<server::RateLimiter>(c.name, **rate);
    server::RateLimiter* l = limiter.get();
    for (const auto& [method, pattern] : c.routes) {
      PW_RETURN_IF_ERROR(router.AddGuard(method, pattern, [l](const server::Request& req) { return l->Check(req); }));
    }
    limiters->push_back(std::move(limiter));
  }
  std::weak_ptr<RateLimiters> weak = limiters;
  metrics.AddCollector([weak](std::string& out) {
    auto all = weak.lock();
    if (!all) return;
    out += "# HELP pw_rate_limited_total Requests refused with 429 by a per-client rate limit.\n"
           "# TYPE pw_rate_limited_total counter\n";
    for (const auto& l : *all) {
      out += "pw_rate_limited_total{limit=\"" + l->name() + "\"} " + std::to_string(l->refused()) + "\n";
    }
  });
  return limiters;
}

}  // namespace pw::app
