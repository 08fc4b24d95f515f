// Journal routes: POST/GET /api/weighings, GET/PATCH/DELETE /api/weighings/{id},
// GET /api/weighings/{id}/evidence.jpg, GET /api/weighings.csv. Handlers parse the request, call
// the WeighingService on the work pool (it blocks on the store and on evidence frames) and map
// the result; validation errors answer 422 with the field.
#pragma once

#include "core/thread_pool.h"
#include "server/router.h"
#include "weighing/journal_service.h"

namespace pw::server {

void AddWeighingRoutes(Router& router, weighing::WeighingService& service, core::ThreadPool& pool);

}  // namespace pw::server
