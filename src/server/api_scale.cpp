#include "server/api_scale.h"

namespace pw::server {

nlohmann::json ScaleReadingJson(const scale::ScaleReading& r) {
  auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.system_time.time_since_epoch()).count();
  return {{"type", "scale"},         {"kg", r.kg},           {"stable", r.stable},
          {"indicator_stable", r.has_indicator_flag ? nlohmann::json(r.indicator_stable) : nlohmann::json(nullptr)},
          {"net", r.net},            {"unit_raw", r.unit_raw}, {"value_raw", r.value_raw},
          {"seq", r.seq},            {"wall_ms", wall_ms}};
}

void AddScaleRoutes(Router& router, scale::ScaleClient* client) {
  router.AddSync(http::verb::get, "/api/scale", [client](const Request&) {
    if (client == nullptr) {
      return Response::Error(core::Status::NotFound("no scale indicator is configured (set SCALE_URL)"));
    }
    nlohmann::json j = client->ToJson();
    if (auto latest = client->Latest()) {
      auto reading = ScaleReadingJson(*latest);
      reading["age_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - latest->steady_time).count();
      j["reading"] = std::move(reading);
    } else {
      j["reading"] = nullptr;
    }
    return Response::Json(j);
  });
}

}  // namespace pw::server
