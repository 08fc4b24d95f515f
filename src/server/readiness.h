// Readiness: the state of each component (store, http, model, cameras ...) behind GET /readyz.
// The server is ready when every *required* component is ready; optional ones (the model while it
// loads) are reported but do not make the server unready. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace pw::server {

class Readiness {
 public:
  enum class State { kStarting, kReady, kFailed, kDisabled };

  void Set(const std::string& component, State state, std::string detail = {}, bool required = true);
  // A component whose state is asked for at each query (the model engine reports its own).
  using Probe = std::function<std::pair<State, std::string>()>;
  void SetProbe(const std::string& component, Probe probe, bool required);
  bool Ready() const;
  // {"ready": true, "components": {"store": {"state": "ready", "detail": "...", "required": true}}}
  nlohmann::json ToJson() const;

 private:
  struct Entry {
    State state;
    std::string detail;
    bool required;
    Probe probe;  // when set, state and detail come from it
  };
  static Entry Resolve(const Entry& e);
  mutable std::mutex mu_;
  std::map<std::string, Entry> components_;
};

const char* StateName(Readiness::State state);

}  // namespace pw::server
