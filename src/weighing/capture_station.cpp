#include "weighing/capture_station.h"

namespace pw::weighing {

CaptureStation::CaptureStation(AutoCaptureOptions options, std::string camera_id, OnProposal on_proposal)
    : capture_(options), camera_id_(std::move(camera_id)), on_proposal_(std::move(on_proposal)) {}

double CaptureStation::Now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void CaptureStation::OnScale(double kg, bool stable) {
  std::optional<CaptureProposal> p;
  {
    std::lock_guard lock(mu_);
    p = capture_.OnScale(kg, stable, Now());
  }
  Emit(p);
}

void CaptureStation::OnCountMessage(const std::string& camera_id, const nlohmann::json& message) {
  if (camera_id != camera_id_ || message.value("type", "") != "count" || !message.contains("state")) return;
  const auto& state = message["state"];
  std::optional<CaptureProposal> p;
  {
    std::lock_guard lock(mu_);
    p = capture_.OnCount(state.value("count", 0), state.value("stable", false), state.value("confidence", 0.0), Now());
  }
  Emit(p);
}

void CaptureStation::Emit(const std::optional<CaptureProposal>& p) {
  if (!p || !on_proposal_) return;
  on_proposal_({{"type", "weighing_proposal"},
                {"count", p->count},
                {"total_kg", p->total_kg},
                {"confidence", p->confidence},
                {"camera", camera_id_},
                {"mode", CaptureModeName(capture_.options().mode)}});
}

}  // namespace pw::weighing
