// GET /api/scale: the scale indicator link (state, counters, last error) and its latest reading
// {kg, stable, net, age_ms}; 404 when no scale is configured (SCALE_URL). Readings are also
// pushed on the WebSocket topic "scale" (coalesced: a slow client gets the newest).
#pragma once

#include "scale/scale_client.h"
#include "server/router.h"

namespace pw::server {

// {"type":"scale","kg","stable","indicator_stable","net","unit_raw","value_raw","seq","wall_ms"}
nlohmann::json ScaleReadingJson(const scale::ScaleReading& reading);

// `client` may be null (no scale configured).
void AddScaleRoutes(Router& router, scale::ScaleClient* client);

}  // namespace pw::server
