#include "weighing/auto_capture.h"

#include <algorithm>
#include <cmath>

namespace pw::weighing {

core::Result<AutoCaptureOptions::Mode> ParseCaptureMode(std::string_view text) {
  if (text == "off" || text.empty()) return AutoCaptureOptions::Mode::kOff;
  if (text == "confirm") return AutoCaptureOptions::Mode::kConfirm;
  if (text == "save") return AutoCaptureOptions::Mode::kSave;
  return core::Status::InvalidArgument("expected off, confirm (the operator confirms each proposal) or save");
}

std::string_view CaptureModeName(AutoCaptureOptions::Mode mode) {
  switch (mode) {
    case AutoCaptureOptions::Mode::kConfirm: return "confirm";
    case AutoCaptureOptions::Mode::kSave: return "save";
    case AutoCaptureOptions::Mode::kOff: break;
  }
  return "off";
}

std::optional<CaptureProposal> AutoCapture::OnScale(double kg, bool stable, double now) {
  if (stable && (!has_weight_ || !weight_stable_)) weight_since_ = now;
  if (stable && weight_stable_ && std::fabs(kg - kg_) > options_.rearm_kg / 2) weight_since_ = now;  // a new level
  has_weight_ = true;
  weight_stable_ = stable;
  kg_ = kg;
  if (kg < options_.min_kg) armed_ = true;  // the pen was emptied
  if (!armed_ && stable && std::fabs(kg - captured_kg_) > options_.rearm_kg) armed_ = true;
  return Check(now);
}

std::optional<CaptureProposal> AutoCapture::OnCount(int count, bool stable, double confidence, double now) {
  if (stable && (!has_count_ || !count_stable_ || count != count_)) count_since_ = now;
  has_count_ = true;
  count_stable_ = stable;
  count_ = count;
  confidence_ = confidence;
  return Check(now);
}

std::optional<CaptureProposal> AutoCapture::Check(double now) {
  if (options_.mode == AutoCaptureOptions::Mode::kOff || !armed_) return std::nullopt;
  if (!has_weight_ || !has_count_ || !weight_stable_ || !count_stable_) return std::nullopt;
  if (kg_ < options_.min_kg || count_ < 1) return std::nullopt;
  if (now - std::max(weight_since_, count_since_) < options_.stable_seconds) return std::nullopt;
  armed_ = false;
  captured_kg_ = kg_;
  return CaptureProposal{count_, kg_, confidence_, now};
}

}  // namespace pw::weighing
