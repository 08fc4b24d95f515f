// Inference status routes: GET /debug/infer_status (model, state and reason, load timings,
// queues, counters, latencies) and POST /debug/preload_model (start or re-run loading).
#pragma once

#include "infer/engine.h"
#include "server/readiness.h"
#include "server/router.h"

namespace pw::server {

void AddInferRoutes(Router& router, infer::Engine& engine, Readiness& readiness);

}  // namespace pw::server
