// CaptureStation: joins a station's scale and camera for automatic weighings. Scale readings and
// the camera's consensus counts arrive on their own threads; when both have been stable for
// AUTO_CAPTURE_SECONDS (AutoCapture decides), `on_proposal` is called once with
// {"type":"weighing_proposal","count","total_kg","confidence","camera","mode"} — the caller asks the
// operator to confirm it (mode "confirm") or saves it at once ("save").
//
// Thread-safety: OnScale/OnCount from any thread; on_proposal is called on the feeding thread,
// outside the lock, and must be quick (hand the work to a pool).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "weighing/auto_capture.h"

namespace pw::weighing {

class CaptureStation {
 public:
  using OnProposal = std::function<void(const nlohmann::json& proposal)>;
  CaptureStation(AutoCaptureOptions options, std::string camera_id, OnProposal on_proposal);

  void OnScale(double kg, bool stable);
  // A camera's count message (live::LiveCounter's "count" JSON); other cameras are ignored.
  void OnCountMessage(const std::string& camera_id, const nlohmann::json& message);

  const std::string& camera_id() const { return camera_id_; }

 private:
  double Now() const;
  void Emit(const std::optional<CaptureProposal>& p);

  std::mutex mu_;
  AutoCapture capture_;
  const std::string camera_id_;
  const OnProposal on_proposal_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace pw::weighing
