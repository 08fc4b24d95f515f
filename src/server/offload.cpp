#include "server/offload.h"

#include <spdlog/spdlog.h>

namespace pw::server {

Handler Offload(core::ThreadPool& pool, std::function<Response(const Request&)> work) {
  auto shared = std::make_shared<std::function<Response(const Request&)>>(std::move(work));
  return [&pool, shared](const RequestPtr& req, Respond respond) {
    auto task = [shared, req, respond]() {
      try {
        respond((*shared)(*req));
      } catch (const std::exception& e) {
        spdlog::error("{} failed: {}", req->route, e.what());
        respond(Response::Error(core::Status::Internal("internal error")));
      }
    };
    if (!pool.Submit(task)) {
      respond(Response::Error(core::Status::Busy("the server is busy; try again in a moment")));
    }
  };
}

}  // namespace pw::server
