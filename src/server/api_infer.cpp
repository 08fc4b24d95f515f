#include "server/api_infer.h"

namespace pw::server {

void AddInferRoutes(Router& router, infer::Engine& engine, Readiness& readiness) {
  // The model is reported but not required: the server serves video and the journal while the
  // model loads, and says why counting is unavailable when it failed.
  readiness.SetProbe("model", [&engine] {
    infer::EngineStatus s = engine.Snapshot();
    Readiness::State state = s.state == infer::EngineState::kReady    ? Readiness::State::kReady
                             : s.state == infer::EngineState::kFailed ? Readiness::State::kFailed
                                                                      : Readiness::State::kStarting;
    std::string detail = std::string(infer::EngineStateName(s.state)) + " " + s.model_path;
    if (!s.reason.empty()) detail += ": " + s.reason;
    return std::pair{state, detail};
  }, false);
  router.AddSync(http::verb::get, "/debug/infer_status", [&engine](const Request&) {
    return Response::Json(engine.Snapshot().ToJson());
  });
  router.AddSync(http::verb::post, "/debug/preload_model", [&engine](const Request&) {
    engine.Preload();  // returns at once; loading runs in the background
    return Response::Json(engine.Snapshot().ToJson(), http::status::accepted);
  });
}

}  // namespace pw::server
