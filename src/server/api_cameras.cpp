#include "server/api_cameras.h"

#include "server/offload.h"

namespace pw::server {

namespace {

constexpr const char* kBoundary = "pwframe";

core::Result<nlohmann::json> ParseBody(const Request& req) {
  auto j = nlohmann::json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return core::Status::InvalidArgument("the body must be a JSON object, e.g. {\"url\":\"rtsp://...\"}");
  }
  return j;
}

bool Truthy(const std::optional<std::string>& v) { return v && (*v == "1" || *v == "true" || *v == "yes"); }

Response SnapshotResponse(live::CameraManager& cameras, const std::string& id, bool overlay) {
  auto cam = cameras.FindOrFirst(id);
  if (!cam.ok()) return Response::Error(cam.status());
  auto snap = (*cam)->TakeSnapshot(overlay);
  if (!snap.ok()) {
    Response r = Response::Error(snap.status());
    if (snap.status().code() == core::Code::kUnavailable) r.headers.set(http::field::retry_after, "1");
    return r;
  }
  Response r;
  r.headers.set(http::field::content_type, "image/jpeg");
  r.headers.set(http::field::cache_control, "no-store");
  r.headers.set("X-Camera", (*cam)->spec().id);
  r.headers.set("X-Frame-Pts", std::to_string(snap->frame->pts));
  r.headers.set("X-Frame-Wall-Ms", std::to_string(snap->frame->wall_ms()));
  r.headers.set("X-Overlay", snap->overlay ? "1" : "0");
  r.body = *snap->jpeg;
  return r;
}

// The MJPEG body: each piece is one multipart part with the newest picture of the camera's shared
// feed; the connection asks for the next piece only after writing the previous one, so a slow
// client skips pictures instead of queueing them.
class MjpegBody final : public BodySource {
 public:
  MjpegBody(std::shared_ptr<live::Camera> camera)
      : camera_(std::move(camera)), viewer_(camera_->WatchMjpeg()) {}

  void Pull(std::function<void(std::optional<std::string>)> deliver) override {
    viewer_->Next([deliver = std::move(deliver)](std::shared_ptr<const live::MjpegPicture> p) {
      if (!p) return deliver(std::nullopt);  // the camera was removed or the server stops
      std::string part = std::string("--") + kBoundary + "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                         std::to_string(p->jpeg->size()) + "\r\nX-Frame-Pts: " + std::to_string(p->frame->pts) +
                         "\r\nX-Frame-Wall-Ms: " + std::to_string(p->frame->wall_ms()) + "\r\n\r\n";
      part.reserve(part.size() + p->jpeg->size() + 2);
      part += *p->jpeg;
      part += "\r\n";
      deliver(std::move(part));
    });
  }

 private:
  std::shared_ptr<live::Camera> camera_;  // keeps the feed alive while the client watches
  std::unique_ptr<live::MjpegFeed::Viewer> viewer_;
};

Response MjpegResponse(live::CameraManager& cameras, const std::string& id) {
  auto cam = cameras.FindOrFirst(id);
  if (!cam.ok()) return Response::Error(cam.status());
  Response r;
  r.headers.set(http::field::content_type, std::string("multipart/x-mixed-replace; boundary=") + kBoundary);
  r.headers.set(http::field::cache_control, "no-store");
  r.headers.set("X-Camera", (*cam)->spec().id);
  r.source = std::make_shared<MjpegBody>(*cam);
  return r;
}

}  // namespace

void AddCameraRoutes(Router& router, live::CameraManager& cameras, core::ThreadPool& pool) {
  live::CameraManager* c = &cameras;
  router.AddSync(http::verb::get, "/api/cameras", [c](const Request&) { return Response::Json(c->List()); });
  router.Add(http::verb::post, "/api/cameras", Offload(pool, [c](const Request& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return Response::Error(body.status());
    return JsonOr(c->Add(*body), http::status::created);
  }));
  router.AddSync(http::verb::get, "/api/cameras/{id}", [c](const Request& req) {
    auto cam = c->Find(req.params.at("id"));
    return cam.ok() ? Response::Json((*cam)->ToJson()) : Response::Error(cam.status());
  });
  router.Add(http::verb::patch, "/api/cameras/{id}", Offload(pool, [c](const Request& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return Response::Error(body.status());
    return JsonOr(c->Update(req.params.at("id"), *body));
  }));
  router.Add(http::verb::delete_, "/api/cameras/{id}", Offload(pool, [c](const Request& req) {
    core::Status st = c->Remove(req.params.at("id"));
    if (!st.ok()) return Response::Error(st);
    Response r;
    r.status = http::status::no_content;
    return r;
  }));
  router.Add(http::verb::post, "/api/cameras/{id}/start",
             Offload(pool, [c](const Request& req) { return JsonOr(c->Start(req.params.at("id"))); }));
  router.Add(http::verb::post, "/api/cameras/{id}/stop",
             Offload(pool, [c](const Request& req) { return JsonOr(c->Stop(req.params.at("id"))); }));
  // Manual recording override: {"action":"start"|"stop"} (see live/recorder.h); answers the camera.
  router.AddSync(http::verb::post, "/api/cameras/{id}/recording", [c](const Request& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return Response::Error(body.status());
    auto action = body->find("action");
    if (action == body->end() || !action->is_string()) {
      return Response::Error(core::Status::InvalidArgument("action must be \"start\" or \"stop\"").WithField("action"));
    }
    auto cam = c->Find(req.params.at("id"));
    if (!cam.ok()) return Response::Error(cam.status());
    return JsonOr((*cam)->SetRecording(action->get<std::string>()));
  });
  router.Add(http::verb::get, "/api/cameras/{id}/snapshot", Offload(pool, [c](const Request& req) {
    return SnapshotResponse(*c, req.params.at("id"), Truthy(req.Query("overlay")));
  }));
  router.Add(http::verb::get, "/api/snapshot", Offload(pool, [c](const Request& req) {
    return SnapshotResponse(*c, req.Query("camera").value_or(""), Truthy(req.Query("overlay")));
  }));
  router.AddSync(http::verb::get, "/api/cameras/{id}/mjpeg",
                 [c](const Request& req) { return MjpegResponse(*c, req.params.at("id")); });
  router.AddSync(http::verb::get, "/api/video_feed",
                 [c](const Request& req) { return MjpegResponse(*c, req.Query("camera").value_or("")); });
}

}  // namespace pw::server
