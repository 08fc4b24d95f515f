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
  components_[component] = {state, std::move(detail), required, {}};
}

void Readiness::SetProbe(const std::string& component, Probe probe, bool required) {
  std::lock_guard lock(mu_);
  components_[component] = {State::kStarting, "", required, std::move(probe)};
}

Readiness::Entry Readiness::Resolve(const Entry& e) {
  if (!e.probe) return e;
  auto [state, detail] = e.probe();
  return {state, std::move(detail), e.required, {}};
}

bool Readiness::Ready() const {
  std::lock_guard lock(mu_);
  for (const auto& [name, entry] : components_) {
    Entry e = Resolve(entry);
    if (e.required && e.state != State::kReady) return false;
  }
  return true;
}

nlohmann::json Readiness::ToJson() const {
  nlohmann::json components = nlohmann::json::object();
  bool ready = true;
  std::lock_guard lock(mu_);
  for (const auto& [name, entry] : components_) {
    Entry e = Resolve(entry);
    components[name] = {{"state", StateName(e.state)}, {"detail", e.detail}, {"required", e.required}};
    ready = ready && (!e.required || e.state == State::kReady);
  }
  return {{"ready", ready}, {"components", components}};
}

}  // namespace pw::server
