#include "server/api_system.h"

#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "core/log.h"
#include "server/openapi_doc.h"

namespace pw::server {

std::string MaskCredentials(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url.substr(0, scheme + 3) + "***" + url.substr(at);
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {

// Publishes `remaining` events of `bytes` bytes on topic "debug", one every `interval`.
void Flood(WsHub& hub, std::shared_ptr<boost::asio::steady_timer> timer, int remaining, std::size_t bytes,
           std::chrono::microseconds interval, int seq) {
  if (remaining <= 0) return;
  nlohmann::json j = {{"type", "debug"}, {"seq", seq}, {"pad", std::string(bytes, 'x')}};
  hub.Publish("debug", j.dump());
  timer->expires_after(interval);
  timer->async_wait([&hub, timer, remaining, bytes, interval, seq](const boost::system::error_code& ec) {
    if (!ec) Flood(hub, timer, remaining - 1, bytes, interval, seq + 1);
  });
}

}  // namespace

void AddSystemRoutes(Router& router, SystemContext ctx) {
  router.AddSync(http::verb::get, "/healthz", [](const Request&) {
    return Response::Json({{"status", "ok"}});
  });
  router.AddSync(http::verb::get, "/readyz", [&readiness = ctx.readiness](const Request&) {
    nlohmann::json j = readiness.ToJson();
    nlohmann::json timeline = nlohmann::json::array();
    for (const auto& [name, ms] : core::Timeline::Get().Marks()) timeline.push_back({{"event", name}, {"ms", ms}});
    j["startup"] = timeline;
    return Response::Json(j, j["ready"].get<bool>() ? http::status::ok : http::status::service_unavailable);
  });
  router.AddSync(http::verb::get, "/metrics", [&metrics = ctx.metrics](const Request&) {
    return Response::Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  router.AddSync(http::verb::get, "/api/version", [](const Request&) {
    return Response::Json({{"name", "pigweight"}, {"version", PW_VERSION}});
  });
  router.AddSync(http::verb::get, "/api/config", [&config = ctx.config](const Request&) {
    nlohmann::json settings = nlohmann::json::object();
    for (auto& [key, value] : core::DescribeConfig(config)) settings[key] = MaskCredentials(value);
    return Response::Json({{"settings", settings}});
  });
  router.AddSync(http::verb::get, "/api/openapi.json", [](const Request&) {
    Response r = Response::Text(std::string(OpenApiDocument()), "application/json");
    r.headers.set(http::field::cache_control, "no-cache");
    return r;
  });
  // Every registered route as "METHOD /pattern" (read when asked: routes added later are listed).
  router.AddSync(http::verb::get, "/debug/routes", [&router](const Request&) {
    return Response::Json({{"routes", router.Describe()}});
  });
  if (!ctx.config.debug_routes) return;
  router.AddSync(http::verb::post, "/debug/ws_flood", [&hub = ctx.hub, &io = ctx.io](const Request& req) {
    auto number = [&](const char* name, long long def, long long max) -> long long {
      auto v = req.Query(name);
      long long n = v ? std::atoll(v->c_str()) : def;
      return std::clamp(n, 0LL, max);
    };
    int count = static_cast<int>(number("count", 100, 100000));
    auto bytes = static_cast<std::size_t>(number("bytes", 1000, 1 << 20));
    auto interval = std::chrono::microseconds(number("interval_us", 1000, 1000000));
    Flood(hub, std::make_shared<boost::asio::steady_timer>(io), count, bytes, interval, 0);
    return Response::Json({{"count", count}, {"bytes", bytes}}, http::status::accepted);
  });
}

}  // namespace pw::server
