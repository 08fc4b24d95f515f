#include "server/readiness.h"

namespace pw::server {

const char* StateName(Readiness::State state) {
  switch (state) {
    case Readiness::State::kStarting: return "starting";
    case Readiness::State::kReady: return "ready";
    case Readiness::State::kFailed: return "failed";
    case Readiness::State::kDisabled: return "disabled";
  }
  return "unknown";
}

void Readiness::Set(const std::string& component, State state, std::string detail, bool required) {
  std::lock_guard lock(mu_);
  components_[component] = {state, std::move(detail), required};
}

bool Readiness::Ready() const {
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : components_) {
    if (e.required && e.state != State::kReady) return false;
  }
  return true;
}

nlohmann::json Readiness::ToJson() const {
  nlohmann::json components = nlohmann::json::object();
  bool ready = true;
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : components_) {
    components[name] = {{"state", StateName(e.state)}, {"detail", e.detail}, {"required", e.required}};
    ready = ready && (!e.required || e.state == State::kReady);
  }
  return {{"ready", ready}, {"components", components}};
}

}  // namespace pw::server
