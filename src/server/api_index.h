// Background index routes for recorded videos:
//   GET    /api/videos/{id}/index            progress (state, %, rate, ETA, other models' indexes)
//   POST   /api/videos/{id}/index            start or resume        → 202 with the progress
//   POST   /api/videos/{id}/index/pause      pause (finished chunks stay usable)
//   DELETE /api/videos/{id}/index            cancel
//   GET    /api/videos/{id}/counts?from=&to=&points=   the count series for the timeline graph
//   GET    /api/videos/{id}/moments          suggested weighing moments (stable spans)
// Progress and new chunks are also pushed on the WebSocket topic "video:<id>".
#pragma once

#include "core/thread_pool.h"
#include "library/indexer.h"
#include "server/router.h"

namespace pw::server {

void AddIndexRoutes(Router& router, library::Indexer& indexer, core::ThreadPool& pool);

}  // namespace pw::server
