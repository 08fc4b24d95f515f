// Counting routes for recorded videos: GET /api/video_file/count_at_time?id=&t= (the seed's
// path) and GET /api/videos/{id}/count?t= — the instances and count of the frame shown at t.
// Until the background index covers t, the frame is run at interactive priority and marked
// "from_index": false. A newer request from the same client (&client=, default its address)
// cancels an older one still decoding, as for /frame. `exact=1`: the instances of exactly the
// frame shown at t (run now when the index sampled a neighbouring frame).
#pragma once

#include "core/thread_pool.h"
#include "library/frame_counts.h"
#include "server/router.h"

namespace pw::server {

void AddCountRoutes(Router& router, library::FrameCounter& counter, core::ThreadPool& pool);

}  // namespace pw::server
