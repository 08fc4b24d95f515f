// System routes: GET /healthz, /readyz, /metrics, /api/version, /api/config, /api/openapi.json (the
// API document), /debug/routes (every registered route), and the test-only POST /debug/ws_flood
// (when debug_routes is on).
#pragma once

#include <boost/asio/io_context.hpp>

#include "core/config.h"
#include "server/metrics.h"
#include "server/readiness.h"
#include "server/router.h"
#include "server/ws_hub.h"

namespace pw::server {

struct SystemContext {
  const core::Config& config;
  Readiness& readiness;
  Metrics& metrics;
  WsHub& hub;
  boost::asio::io_context& io;  // for timers of the debug routes
};

void AddSystemRoutes(Router& router, SystemContext ctx);

// "rtsp://user:secret@host/x" -> "rtsp://user:***@host/x": credentials are never echoed.
std::string MaskCredentials(const std::string& url);

}  // namespace pw::server
