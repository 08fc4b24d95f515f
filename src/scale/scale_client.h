// ScaleClient: reads the continuous output of one weighing indicator (TCP or serial), parses each
// line, decides stability and publishes the latest reading; reconnects on its own.
//
// States: connecting → streaming; "stalled" when no valid line came for stall_seconds (the link
// is then closed and reopened), "backoff" while waiting before the next attempt (exponential,
// backoff_min → backoff_max, ±20 % jitter; reset once a valid line arrives), "stopped".
// Every blocking step has a deadline: connect (connect_timeout), read (stall_seconds).
//
// Ownership: the client owns one reader thread, started by Start() and joined by Stop() (or the
// destructor); Stop() wakes it from connect, read and backoff alike, so it returns promptly.
// Thread-safety: Latest(), Stats(), ToJson() and Stop() may be called from any thread. The
// callback runs on the reader thread; it must be quick and must not call Stop().
// Errors: Start() returns kInvalidArgument for a bad URL or format; runtime failures are not
// errors of any call: they show in Stats() (state, last_error, counters) and the logs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "core/unique_fd.h"
#include "scale/line_format.h"
#include "scale/scale_link.h"
#include "scale/stability.h"

namespace pw::scale {

struct ScaleOptions {
  std::string url;                       // tcp://host:port or serial:///dev/ttyUSB0?baud=9600
  std::string format = "default";        // LineFormat::FromSpec
  std::string default_unit = "kg";       // for lines without a unit
  StabilityOptions stability;            // our own detector
  StabilityRule stability_rule = StabilityRule::kIndicatorOrOwn;
  double stall_seconds = 3.0;            // no valid line for this long → stalled, reconnect
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{5000};
};

// kInvalidArgument naming the bad setting (URL, format, unit, timings); what Start() checks, for
// callers that validate configuration before starting anything.
core::Status ValidateScaleOptions(const ScaleOptions& options);

struct ScaleReading {
  double kg = 0;
  bool stable = false;                   // the verdict (indicator flag and/or own detector)
  bool indicator_stable = false;         // the indicator's flag (false when it sends none)
  bool has_indicator_flag = false;
  bool net = false;
  double value_raw = 0;                  // as sent, in unit_raw
  std::string unit_raw;                  // "kg", "lb", ...
  std::chrono::steady_clock::time_point steady_time;
  std::chrono::system_clock::time_point system_time;
  std::uint64_t seq = 0;                 // 1, 2, ... per accepted line over the client's life
};

enum class ScaleState { kConnecting, kStreaming, kStalled, kBackoff, kStopped };
std::string_view ScaleStateName(ScaleState state);

struct ScaleStats {
  ScaleState state = ScaleState::kStopped;
  std::string endpoint;
  std::uint64_t lines = 0;               // lines received (valid and garbage)
  std::uint64_t garbage_lines = 0;       // rejected lines, overlong ones included
  std::uint64_t overlong_lines = 0;
  std::uint64_t connects = 0;            // successful opens
  std::uint64_t reconnects = 0;          // opens after the first one
  std::uint64_t stalls = 0;
  std::string last_error;                // empty until something went wrong
  std::optional<ScaleReading> latest;
};

class ScaleClient {
 public:
  using Callback = std::function<void(const ScaleReading&)>;

  explicit ScaleClient(ScaleOptions options, Callback on_reading = nullptr);
  ~ScaleClient();
  ScaleClient(const ScaleClient&) = delete;
  ScaleClient& operator=(const ScaleClient&) = delete;

  // Validates the options and starts the reader thread. kConflict when called a second time (a
  // client runs once; make a new one to change settings).
  core::Status Start();
  // Stops and joins the reader thread. Idempotent.
  void Stop();

  std::optional<ScaleReading> Latest() const;
  ScaleStats Stats() const;
  nlohmann::json ToJson() const;

 private:
  void Run();
  // Reads lines from an open link until stall, EOF, error or Stop(); returns why it ended.
  core::Status Stream(int fd);
  void HandleLine(const std::string& line);
  bool WaitForWake(std::chrono::milliseconds timeout);  // true when Stop() was called
  std::chrono::milliseconds NextBackoff();
  void SetState(ScaleState state);
  void NoteError(const core::Status& status);

  ScaleOptions options_;
  Callback on_reading_;
  LineFormat format_;
  ScaleEndpoint endpoint_;
  core::UniqueFd wake_;  // eventfd: written by Stop()
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;  // serialises Stop() (join) against concurrent callers
  std::thread thread_;

  // Reader-thread state.
  StabilityDetector detector_;
  int failures_ = 0;  // consecutive attempts without a valid line, drives the backoff
  std::chrono::steady_clock::time_point last_valid_;

  mutable std::mutex mu_;  // guards stats_
  ScaleStats stats_;
};

}  // namespace pw::scale
