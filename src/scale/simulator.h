// ScaleSimulator: a fake weighing indicator for tests and demos (`pigweight scale-sim`).
//
// It listens on TCP (127.0.0.1, port 0 = any free port, see port()) and streams lines such as
// "ST,GS,+1234.5kg\r\n" to every connected client at `rate_hz`, following a scenario that loops:
// empty pen (0 kg, stable) → ramp up while animals enter (noisy, unstable) → unsettled around the
// target (decaying noise, unstable) → stable at the target for hold_s → ramp down (unstable).
// Faults on demand: every Nth line garbage (binary noise, a broken number, an unknown word, an
// overlong line), dropping every connection every drop_every_s, pausing (sockets stay open, no
// bytes: a hung indicator), and unit/target changes while running.
//
// Ownership: owns one thread (Start() → Stop()/destructor joins it) and its sockets.
// Thread-safety: the setters, counters and Stop() may be called from any thread.
// Errors: Start() returns kUnavailable when the address cannot be bound, kInvalidArgument for bad
// options.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/unique_fd.h"

namespace pw::scale {

struct SimScenario {
  double target_kg = 1000;
  double empty_s = 2, ramp_up_s = 3, unsettled_s = 2, hold_s = 10, ramp_down_s = 3;
  double noise_kg = 5;          // amplitude of the unstable wobble
  double resolution_kg = 0.5;   // displayed step (an indicator's "d")
};

struct SimSample {
  double kg = 0;
  bool stable = false;
};

// Where the scenario is `t` seconds after it started (it loops). `rng` supplies the noise.
SimSample SampleScenario(const SimScenario& scenario, double t, std::mt19937& rng);

// "ST,GS,+0056.0kg" for kg = 56 (unit "kg" or "lb"; decimals of the value as sent).
std::string FormatScaleLine(double kg, bool stable, bool net, const std::string& unit, int decimals);

struct SimulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  double rate_hz = 10;
  SimScenario scenario;
  std::string unit = "kg";      // kg or lb
  bool net = false;             // NT instead of GS
  int decimals = 1;
  int garbage_every = 0;        // every Nth line is garbage; 0: never
  double drop_every_s = 0;      // close all connections this often; 0: never
  std::uint32_t seed = 1;
};

class ScaleSimulator {
 public:
  explicit ScaleSimulator(SimulatorOptions options);
  ~ScaleSimulator();
  ScaleSimulator(const ScaleSimulator&) = delete;
  ScaleSimulator& operator=(const ScaleSimulator&) = delete;

  core::Status Start();
  void Stop();  // closes every socket and joins the thread; idempotent
  int port() const { return port_; }
  std::string url() const;  // tcp://127.0.0.1:<port>

  void SetUnit(const std::string& unit);
  void SetTargetKg(double kg);
  void SetGarbageEvery(int n) { garbage_every_ = n; }
  void SetPaused(bool paused) { paused_ = paused; }
  void DropConnections() { drop_now_ = true; }

  std::uint64_t lines_sent() const { return lines_sent_; }
  std::uint64_t connections_accepted() const { return accepted_; }
  int clients() const { return clients_count_; }

 private:
  void Run();
  void AcceptAll();
  void Tick(double t);
  std::string NextLine(double t);
  void CloseClients();

  SimulatorOptions options_;
  core::UniqueFd listen_;
  core::UniqueFd wake_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> paused_{false};
  std::atomic<bool> drop_now_{false};
  std::atomic<int> garbage_every_{0};
  std::atomic<std::uint64_t> lines_sent_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<int> clients_count_{0};

  std::mutex mu_;  // guards options_.unit and options_.scenario.target_kg against setters
  // Simulator-thread state.
  std::vector<core::UniqueFd> clients_;
  std::mt19937 rng_;
  std::uint64_t line_no_ = 0;
  std::uint64_t garbage_no_ = 0;
};

}  // namespace pw::scale
