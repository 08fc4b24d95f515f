#include "live/live_counter.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "core/log.h"
#include "media/image.h"

namespace pw::live {

using Clock = std::chrono::steady_clock;

LiveCounter::LiveCounter(std::string camera_id, std::shared_ptr<const LatestFrame> source, infer::Engine* engine,
                         LiveCountOptions options, Publisher publish)
    : id_(std::move(camera_id)),
      source_(std::move(source)),
      engine_(engine),
      options_(options),
      publish_(std::move(publish)),
      counter_(options.counting) {}

LiveCounter::~LiveCounter() { Stop(); }

void LiveCounter::Start() {
  std::lock_guard lock(mu_);
  if (!stop_ || !engine_) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void LiveCounter::Stop() {
  std::thread t;
  {
    std::unique_lock lock(mu_);
    stop_ = true;
    cv_.notify_all();
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !in_flight_; });  // the engine answers every accepted request once
}

std::shared_ptr<const LiveCount> LiveCounter::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

LiveCountStats LiveCounter::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void LiveCounter::Loop() {
  pthread_setname_np(pthread_self(), ("pw-count-" + id_).substr(0, 15).c_str());
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(0.1, options_.fps)));
  std::uint64_t last_seq = 0;
  auto next = Clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!in_flight_) {
      lock.unlock();
      Tick(&last_seq);
      lock.lock();
    }
    next = std::max(next + period, Clock::now());
    cv_.wait_until(lock, next, [&] { return stop_; });
  }
}

void LiveCounter::Tick(std::uint64_t* last_seq) {
  auto frame = source_->Get();
  const auto step = static_cast<std::uint64_t>(std::max(0, options_.frame_skip)) + 1;
  if (!frame || (*last_seq != 0 && frame->seq < *last_seq + step)) return;  // nothing new enough
  auto bgr = media::ToBgr(*frame->frame);
  if (!bgr.ok()) {
    spdlog::warn("camera {}: cannot convert a frame for counting: {}", id_, bgr.status().message());
    *last_seq = frame->seq;
    return;
  }
  infer::InferRequest req;
  req.frame = std::move(*bgr);
  req.priority = infer::Priority::kLive;
  req.deadline = Clock::now() + options_.deadline;
  {
    std::lock_guard lock(mu_);
    in_flight_ = true;
  }
  core::Status st = engine_->Submit(std::move(req), [this, frame](infer::InferResult r) { OnResult(frame, std::move(r)); });
  std::lock_guard lock(mu_);
  if (st.ok()) {
    if (stats_.submitted++ == 0) core::Timeline::Get().Mark("camera " + id_ + ": infer loop started");
    *last_seq = frame->seq;
    return;
  }
  in_flight_ = false;
  cv_.notify_all();
  if (st.code() == core::Code::kBusy) {
    ++stats_.busy;
  } else {
    ++stats_.unavailable;  // model loading or failed; the engine's state says why
  }
}

void LiveCounter::OnResult(std::shared_ptr<const LiveFrame> frame, infer::InferResult result) {
  nlohmann::json message;
  if (result.status.ok()) {
    std::lock_guard lock(mu_);
    ++stats_.completed;
    stats_.last_latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - frame->steady).count();
    // Counting time is the frame's arrival on a monotonic clock: it keeps going forward across
    // reconnects, when the stream's own PTS restarts.
    const double t = std::chrono::duration<double>(frame->steady - epoch_).count();
    counting::CountFrame counted = counter_.Update(t, result.instances);
    auto live = std::make_shared<LiveCount>();
    live->frame = frame;
    live->state = counted.state;
    live->track_ids = counted.track_ids;
    live->instances = std::move(result.instances);
    nlohmann::json instances = nlohmann::json::array();
    for (std::size_t i = 0; i < live->instances.size(); ++i) {
      nlohmann::json j = infer::ToJson(live->instances[i]);
      j["track_id"] = i < live->track_ids.size() ? live->track_ids[i] : 0;
      instances.push_back(std::move(j));
    }
    message = {{"type", "count"},
               {"camera", id_},
               {"wall_ms", frame->wall_ms()},
               {"pts", frame->pts},
               {"media_t", frame->media_t},
               {"frame_size", {frame->frame->width, frame->frame->height}},
               {"state", counting::ToJson(live->state)},
               {"instances", std::move(instances)}};
    latest_ = std::move(live);
  }
  if (!message.is_null() && publish_) publish_("camera:" + id_, message);
  // Last: Stop() may destroy this object as soon as in_flight_ is cleared.
  std::lock_guard lock(mu_);
  if (!result.status.ok()) ++stats_.failed;
  in_flight_ = false;
  cv_.notify_all();
}

}  // namespace pw::live
