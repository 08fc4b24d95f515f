#include "server/api_counts.h"

#include "server/offload.h"

namespace pw::server {
namespace {

Response CountAt(library::FrameCounter& counter, const Request& req, const std::string& id) {
  auto t = req.QueryNumber("t");
  if (!t) return Response::Error(core::Status::InvalidArgument("t must be a time in seconds, e.g. t=12.5"));
  library::FrameCounter::Query query;
  query.client = req.Query("client").value_or(req.client_address());
  query.exact = req.Query("exact").value_or("0") == "1";
  auto count = counter.CountAt(id, *t, query);
  if (!count.ok()) return Response::Error(count.status());
  return Response::Json(library::ToJson(*count));
}

}  // namespace

void AddCountRoutes(Router& router, library::FrameCounter& counter, core::ThreadPool& pool) {
  library::FrameCounter* c = &counter;
  router.Add(http::verb::get, "/api/video_file/count_at_time", Offload(pool, [c](const Request& req) {
    auto id = req.Query("id");
    if (!id || id->empty()) return Response::Error(core::Status::InvalidArgument("id must name a video: ?id=…&t=…"));
    return CountAt(*c, req, *id);
  }));
  router.Add(http::verb::get, "/api/videos/{id}/count", Offload(pool, [c](const Request& req) {
    return CountAt(*c, req, req.params.at("id"));
  }));
}

}  // namespace pw::server
