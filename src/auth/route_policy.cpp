#include "auth/route_policy.h"

#include <algorithm>

namespace pw::auth {

const std::vector<RoutePolicy>& PolicyTable() {
  using enum Role;
  static const std::vector<RoutePolicy> table = {
      // --- anyone: probes, version, signing in and out
      {"GET /healthz", kPublic},
      {"GET /readyz", kPublic},
      {"GET /api/version", kPublic},
      {"GET /api/openapi.json", kPublic},  // the API document (no data)
      {"POST /api/login", kPublic},
      {"POST /api/logout", kPublic},
      // --- viewer: watch cameras and videos, read the journal
      {"GET /api/me", kViewer},
      {"GET /ws", kViewer},
      {"GET /metrics", kViewer},
      {"GET /api/videos", kViewer},
      {"GET /api/videos/{id}", kViewer},
      {"GET /api/videos/{id}/hls/{file}", kViewer},
      {"GET /api/video_file/stream_hls/{id}", kViewer},
      {"GET /api/videos/{id}/frame", kViewer},
      {"GET /api/videos/{id}/thumbnails.vtt", kViewer},
      {"GET /api/videos/{id}/thumbnails.json", kViewer},
      {"GET /api/videos/{id}/thumbs/{file}", kViewer},
      {"GET /api/videos/{id}/count", kViewer},
      {"GET /api/videos/{id}/counts", kViewer},
      {"GET /api/videos/{id}/moments", kViewer},
      {"GET /api/videos/{id}/index", kViewer},
      {"GET /api/video_file/count_at_time", kViewer},
      {"GET /api/uploads/{id}", kViewer},
      {"GET /api/scale", kViewer},
      {"GET /api/cameras", kViewer},
      {"GET /api/cameras/{id}", kViewer},
      {"GET /api/cameras/{id}/snapshot", kViewer},
      {"GET /api/snapshot", kViewer},
      {"GET /api/cameras/{id}/mjpeg", kViewer},
      {"GET /api/video_feed", kViewer},
      {"GET /api/cameras/{id}/live.m3u8", kViewer},
      {"GET /api/cameras/{id}/live/{name}", kViewer},
      {"GET /api/live/hls", kViewer},
      {"GET /api/cameras/{id}/whep", kViewer},
      {"POST /api/cameras/{id}/whep", kViewer},             // opening a live view is watching
      {"DELETE /api/cameras/{id}/whep/{session}", kViewer}, // closing one's own live view
      {"GET /api/weighings", kViewer},
      {"GET /api/weighings.csv", kViewer},
      {"GET /api/weighings/{id}", kViewer},
      {"GET /api/weighings/{id}/evidence.jpg", kViewer},
      // --- operator: save and correct weighings, bring in videos
      {"POST /api/weighings", kOperator},
      {"PATCH /api/weighings/{id}", kOperator},
      {"POST /api/uploads", kOperator},
      {"PATCH /api/uploads/{id}", kOperator},
      {"DELETE /api/uploads/{id}", kOperator},  // cancels an upload in progress
      {"POST /api/videos", kAdmin},  // registers files by server path: reads anywhere the server can
      {"POST /api/videos/{id}/index", kOperator},
      {"POST /api/videos/{id}/index/pause", kOperator},
      {"POST /api/cameras/{id}/recording", kOperator},  // records a weighing session
      // --- admin: cameras, models, users, tokens, deletes, settings, debugging
      {"DELETE /api/weighings/{id}", kAdmin},
      {"DELETE /api/videos/{id}", kAdmin},
      {"DELETE /api/videos/{id}/index", kAdmin},
      {"POST /api/cameras", kAdmin},
      {"PATCH /api/cameras/{id}", kAdmin},
      {"DELETE /api/cameras/{id}", kAdmin},
      {"POST /api/cameras/{id}/start", kAdmin},
      {"POST /api/cameras/{id}/stop", kAdmin},
      {"GET /api/config", kAdmin},
      {"GET /api/users", kAdmin},
      {"POST /api/users", kAdmin},
      {"PATCH /api/users/{name}", kAdmin},
      {"DELETE /api/users/{name}", kAdmin},
      {"GET /api/tokens", kAdmin},
      {"POST /api/tokens", kAdmin},
      {"DELETE /api/tokens/{id}", kAdmin},
      {"GET /debug/routes", kAdmin},
      {"GET /debug/infer_status", kAdmin},
      {"POST /debug/preload_model", kAdmin},
      {"POST /debug/ws_flood", kAdmin},
  };
  return table;
}

Role RequiredRole(std::string_view route) {
  const auto& t = PolicyTable();
  auto it = std::find_if(t.begin(), t.end(), [route](const RoutePolicy& p) { return p.route == route; });
  return it == t.end() ? Role::kAdmin : it->role;
}

bool InPolicyTable(std::string_view route) {
  const auto& t = PolicyTable();
  return std::any_of(t.begin(), t.end(), [route](const RoutePolicy& p) { return p.route == route; });
}

}  // namespace pw::auth
