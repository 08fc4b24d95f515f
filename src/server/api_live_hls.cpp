#include "server/api_live_hls.h"

#include <charconv>

namespace pw::server {

namespace {

// A non-negative integer query parameter; nullopt when absent, error when malformed.
core::Result<std::optional<std::int64_t>> QueryIndex(const Request& req, const std::string& name) {
  auto v = req.Query(name);
  if (!v) return std::optional<std::int64_t>();
  std::int64_t n = -1;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < 0) {
    return core::Status::InvalidArgument(name + " must be a non-negative integer, got '" + *v + "'");
  }
  return std::optional<std::int64_t>(n);
}

Response ErrorResponse(const core::Status& st) {
  Response r = Response::Error(st);
  if (st.code() == core::Code::kUnavailable) r.headers.set(http::field::retry_after, "1");
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

// Wraps a Respond into the module's completion callback.
live::LiveHlsDone Answer(Respond respond) {
  return [respond = std::move(respond)](core::Result<live::LiveHlsReply> reply) {
    if (!reply.ok()) return respond(ErrorResponse(reply.status()));
    Response r;
    switch (reply->kind) {
      case live::LiveHlsReply::Kind::kPlaylist:
        r.headers.set(http::field::content_type, "application/vnd.apple.mpegurl");
        r.headers.set(http::field::cache_control, "no-cache");
        break;
      case live::LiveHlsReply::Kind::kInit:
        r.headers.set(http::field::content_type, "video/mp4");
        r.headers.set(http::field::cache_control, "max-age=6");
        break;
      case live::LiveHlsReply::Kind::kMedia:
        r.headers.set(http::field::content_type, "video/iso.segment");
        r.headers.set(http::field::cache_control, "max-age=6");
        break;
    }
    r.body = *reply->body;
    respond(std::move(r));
  };
}

}  // namespace

void AddLiveHlsRoutes(Router& router, live::LiveHls& hls) {
  router.Add(http::verb::get, "/api/cameras/{id}/live.m3u8", [&hls](const RequestPtr& req, Respond respond) {
    auto msn = QueryIndex(*req, "_HLS_msn");
    auto part = QueryIndex(*req, "_HLS_part");
    if (!msn.ok()) return respond(ErrorResponse(msn.status()));
    if (!part.ok()) return respond(ErrorResponse(part.status()));
    if (*part && !*msn) {
      return respond(ErrorResponse(core::Status::InvalidArgument("_HLS_part needs _HLS_msn")));
    }
    std::optional<std::uint64_t> m;
    if (*msn) m = static_cast<std::uint64_t>(**msn);
    hls.Playlist(req->params.at("id"), m, *part, Answer(std::move(respond)));
  });
  router.Add(http::verb::get, "/api/cameras/{id}/live/{name}", [&hls](const RequestPtr& req, Respond respond) {
    hls.Resource(req->params.at("id"), req->params.at("name"), Answer(std::move(respond)));
  });
  router.AddSync(http::verb::get, "/api/live/hls", [&hls](const Request&) { return Response::Json(hls.ToJson()); });
}

}  // namespace pw::server
