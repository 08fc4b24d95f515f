#include "server/api_whep.h"

#include "server/offload.h"

namespace pw::server {

namespace {

Response Offer(webrtc::WhepServer& whep, const Request& req) {
  const std::string& id = req.params.at("id");
  const std::string type = req.Header(http::field::content_type);
  if (type.rfind("application/sdp", 0) != 0) {
    return Response::Error(http::status::unsupported_media_type, "unsupported_media_type",
                           "send the SDP offer with Content-Type: application/sdp");
  }
  auto answer = whep.Create(id, req.body());
  if (!answer.ok()) {
    Response r = Response::Error(answer.status());
    if (answer.status().code() == core::Code::kUnavailable) r.headers.set(http::field::retry_after, "1");
    return r;
  }
  Response r = Response::Text(answer->sdp, "application/sdp", http::status::created);
  r.headers.set(http::field::location, "/api/cameras/" + id + "/whep/" + answer->session_id);
  r.headers.set(http::field::cache_control, "no-store");
  return r;
}

}  // namespace

void AddWhepRoutes(Router& router, webrtc::WhepServer& whep, core::ThreadPool& pool) {
  router.Add(http::verb::post, "/api/cameras/{id}/whep",
             Offload(pool, [&whep](const Request& req) { return Offer(whep, req); }));
  router.Add(http::verb::delete_, "/api/cameras/{id}/whep/{session}", Offload(pool, [&whep](const Request& req) {
               auto st = whep.Delete(req.params.at("id"), req.params.at("session"));
               if (!st.ok()) return Response::Error(st);
               Response r;
               r.status = http::status::no_content;
               return r;
             }));
  router.AddSync(http::verb::get, "/api/cameras/{id}/whep", [&whep](const Request& req) {
    nlohmann::json j = whep.ToJson();
    const std::string& id = req.params.at("id");
    nlohmann::json mine = nlohmann::json::array();
    for (auto& s : j["sessions"]) {
      if (s["camera"] == id) mine.push_back(s);
    }
    j["sessions"] = mine;
    return Response::Json(j);
  });
}

}  // namespace pw::server
