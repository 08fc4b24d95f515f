// Live LL-HLS routes (thin: they call live::LiveHls; nothing here waits on a network thread —
// blocking playlist reloads answer through the Respond callback when the part appears):
//   GET /api/cameras/{id}/live.m3u8[?_HLS_msn=N[&_HLS_part=P]]
//         LL-HLS media playlist (application/vnd.apple.mpegurl, Cache-Control: no-cache); with
//         _HLS_msn it is held until that segment/part exists (at most ~6 s).
//   GET /api/cameras/{id}/live/init-{v}.mp4       fMP4 init segment (video/mp4)
//   GET /api/cameras/{id}/live/seg-{msn}.m4s      complete segment (video/iso.segment, max-age=6)
//   GET /api/cameras/{id}/live/part-{msn}.{i}.m4s part (same; a preload-hinted part is awaited)
// Statuses: 404 unknown camera or a resource that left the ring, 503 + Retry-After while the
// camera is not streaming yet, 422 video that cannot be carried (H.265), 400 bad _HLS_ query.
//   GET /api/live/hls   state of the running live HLS streams (JSON).
#pragma once

#include "live/live_hls.h"
#include "server/router.h"

namespace pw::server {

// `hls` must outlive the router.
void AddLiveHlsRoutes(Router& router, live::LiveHls& hls);

}  // namespace pw::server
