// Helpers for the scale tests: waiting on a condition with a generous ceiling (never a sleep as
// an assertion) and quick client/simulator settings.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "scale/scale_client.h"
#include "scale/simulator.h"

namespace pw::scale::test {

// Polls `done` every 10 ms until it holds or `ceiling` passes; returns its last value.
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds ceiling = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + ceiling;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// A simulator that reaches a long stable hold at `target_kg` within ~0.4 s, at 50 lines/s.
inline SimulatorOptions QuickSim(double target_kg = 1234.5) {
  SimulatorOptions o;
  o.rate_hz = 50;
  o.scenario = {.target_kg = target_kg, .empty_s = 0, .ramp_up_s = 0.2, .unsettled_s = 0.2, .hold_s = 1000,
                .ramp_down_s = 0.2, .noise_kg = 5, .resolution_kg = 0.5};
  return o;
}

// Client settings with short deadlines so that stalls and reconnects happen within a second.
inline ScaleOptions QuickClient(const std::string& url) {
  ScaleOptions o;
  o.url = url;
  o.stall_seconds = 0.5;
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.backoff_min = std::chrono::milliseconds(20);
  o.backoff_max = std::chrono::milliseconds(200);
  o.stability = {.window_seconds = 0.3, .tolerance_kg = 0.5};
  return o;
}

}  // namespace pw::scale::test
