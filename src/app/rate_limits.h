// The per-client rate limits on expensive routes (RATE_LIMIT_FRAMES, RATE_LIMIT_UPLOADS,
// RATE_LIMIT_WHEP), installed as router guards once every route is registered, with their
// refusals counted in /metrics (pw_rate_limited_total{limit}).
#pragma once

#include <memory>
#include <vector>

#include "core/config.h"
#include "server/metrics.h"
#include "server/rate_limit.h"
#include "server/router.h"

namespace pw::app {

using RateLimiters = std::vector<std::unique_ptr<server::RateLimiter>>;

// kInvalidArgument for a bad rate; kNotFound when a guarded route is missing from the router.
core::Result<std::shared_ptr<RateLimiters>> InstallRateLimits(server::Router& router, const core::Config& config,
                                                              server::Metrics& metrics);

}  // namespace pw::app
