// Offload: runs a handler's blocking work (database queries, file probes, disk scans) on a worker
// pool instead of the network threads, and answers when it is done. When the pool's queue is
// full the client gets 503 "busy" with Retry-After at once, instead of waiting in a pile-up.
#pragma once

#include "core/thread_pool.h"
#include "server/http.h"

namespace pw::server {

// Wraps `work` into a Handler that runs it on `pool`. `pool` must outlive the router.
Handler Offload(core::ThreadPool& pool, std::function<Response(const Request&)> work);

}  // namespace pw::server
