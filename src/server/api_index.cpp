#include "server/api_index.h"

#include <cmath>
#include <cstdlib>

#include "server/offload.h"

namespace pw::server {
namespace {

// An optional number query parameter; NaN when absent, an error when malformed.
core::Result<double> NumberParam(const Request& req, const std::string& name) {
  auto text = req.Query(name);
  if (!text || text->empty()) return NAN;
  auto v = req.QueryNumber(name);
  if (!v) return core::Status::InvalidArgument(name + " must be a number");
  return *v;
}

}  // namespace

void AddIndexRoutes(Router& router, library::Indexer& indexer, core::ThreadPool& pool) {
  library::Indexer* ix = &indexer;
  router.Add(http::verb::get, "/api/videos/{id}/index", Offload(pool, [ix](const Request& req) {
    return JsonOr(ix->Status(req.params.at("id")));
  }));
  router.Add(http::verb::post, "/api/videos/{id}/index", Offload(pool, [ix](const Request& req) {
    const std::string& id = req.params.at("id");
    if (auto st = ix->Enqueue(id); !st.ok()) return Response::Error(st);
    return JsonOr(ix->Status(id), http::status::accepted);
  }));
  router.Add(http::verb::post, "/api/videos/{id}/index/pause", Offload(pool, [ix](const Request& req) {
    const std::string& id = req.params.at("id");
    if (auto st = ix->Pause(id); !st.ok()) return Response::Error(st);
    return JsonOr(ix->Status(id));
  }));
  router.Add(http::verb::delete_, "/api/videos/{id}/index", Offload(pool, [ix](const Request& req) {
    const std::string& id = req.params.at("id");
    if (auto st = ix->Cancel(id); !st.ok()) return Response::Error(st);
    return JsonOr(ix->Status(id));
  }));
  router.Add(http::verb::get, "/api/videos/{id}/counts", Offload(pool, [ix](const Request& req) {
    auto from = NumberParam(req, "from");
    auto to = NumberParam(req, "to");
    auto points = NumberParam(req, "points");
    for (const auto* r : {&from, &to, &points}) {
      if (!r->ok()) return Response::Error(r->status());
    }
    int n = std::isnan(*points) ? 500 : static_cast<int>(*points);
    if (n < 1 || n > 10000) return Response::Error(core::Status::InvalidArgument("points must be from 1 to 10000"));
    double f = std::isnan(*from) ? 0 : *from;
    double t = std::isnan(*to) ? INFINITY : *to;  // default: to the end
    return JsonOr(ix->Counts(req.params.at("id"), f, t, n));
  }));
  router.Add(http::verb::get, "/api/videos/{id}/moments", Offload(pool, [ix](const Request& req) {
    return JsonOr(ix->Moments(req.params.at("id")));
  }));
}

}  // namespace pw::server
