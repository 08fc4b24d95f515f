// WHEP routes (WebRTC live view; thin: they call webrtc::WhepServer):
//   POST   /api/cameras/{id}/whep            body: SDP offer (Content-Type application/sdp) →
//          201, Location /api/cameras/{id}/whep/{session}, body: SDP answer (application/sdp);
//          404 unknown camera, 503 camera not streaming yet or session cap reached (Retry-After),
//          400 bad SDP, 415 other content type, 422 stream that cannot be forwarded (H.265, B-frames).
//   DELETE /api/cameras/{id}/whep/{session}  → 204 (404 when the session is gone)
//   GET    /api/cameras/{id}/whep            → {"sessions":[...],"max_sessions",...} of that camera
// PATCH (trickle ICE) is not offered: the answer carries all candidates (405 from the router).
// Negotiation blocks up to a few seconds, so it runs on `pool`, never on the network threads.
#pragma once

#include "core/thread_pool.h"
#include "server/router.h"
#include "webrtc/whep_server.h"

namespace pw::server {

// `whep` and `pool` must outlive the router.
void AddWhepRoutes(Router& router, webrtc::WhepServer& whep, core::ThreadPool& pool);

}  // namespace pw::server
