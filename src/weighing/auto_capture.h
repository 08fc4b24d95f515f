// AutoCapture: decides when a weighing can be taken without the operator — the scale's weight and
// the camera's count have both been stable for `stable_seconds`. One capture per group: after a
// capture it waits for the pen to be emptied (weight under `min_kg`) or for a clearly different
// load (weight off by more than `rearm_kg` from the captured one, stable again) before it can
// capture again, so a group standing on the scale for minutes is weighed once.
//
// A pure state machine fed with readings and times (seconds on any steady clock); the caller
// decides what a proposal does (ask the operator to confirm, or save it).
// Thread-safety: none; feed it from one thread or under a lock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pw::weighing {

struct AutoCaptureOptions {
  enum class Mode { kOff, kConfirm, kSave };
  Mode mode = Mode::kOff;     // AUTO_CAPTURE
  double stable_seconds = 3;  // AUTO_CAPTURE_SECONDS
  double min_kg = 5;          // below: the pen is empty
  double rearm_kg = 10;       // a load this different from the captured one is a new group
};

core::Result<AutoCaptureOptions::Mode> ParseCaptureMode(std::string_view text);
std::string_view CaptureModeName(AutoCaptureOptions::Mode mode);

struct CaptureProposal {
  int count = 0;
  double total_kg = 0;
  double confidence = 0;
  double at = 0;               // when both had been stable long enough
};

class AutoCapture {
 public:
  explicit AutoCapture(AutoCaptureOptions options) : options_(options) {}

  std::optional<CaptureProposal> OnScale(double kg, bool stable, double now);
  std::optional<CaptureProposal> OnCount(int count, bool stable, double confidence, double now);

  bool armed() const { return armed_; }
  const AutoCaptureOptions& options() const { return options_; }

 private:
  std::optional<CaptureProposal> Check(double now);

  AutoCaptureOptions options_;
  bool armed_ = true;
  double captured_kg_ = 0;
  bool has_weight_ = false, weight_stable_ = false;
  double kg_ = 0, weight_since_ = 0;
  bool has_count_ = false, count_stable_ = false;
  int count_ = 0;
  double confidence_ = 0, count_since_ = 0;
};

}  // namespace pw::weighing
