// LiveCounter: live counting for one camera. A thread ticks at `fps`; each tick takes the newest
// frame from the LatestFrame slot (when it is new and at least frame_skip+1 frames after the last
// one counted), submits it to the shared inference Engine at live priority with a deadline — never
// more than one request in flight per camera — and feeds the answer to a counting::Counter. Each
// result is published ({"type":"count",...} on the camera's topic) and kept for snapshot overlays.
//
// The engine may be null or not ready: ticks are skipped and counted (`unavailable`), nothing waits.
// Thread-safety: all methods from any thread. Stop() joins the thread and waits for the request
// in flight (bounded by the engine's deadline handling); the Engine must outlive this object.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "counting/counter.h"
#include "infer/engine.h"
#include "live/latest_frame.h"

namespace pw::live {

struct LiveCountOptions {
  double fps = 5;                            // FPS: counting rate per camera
  int frame_skip = 0;                        // FRAME_SKIP: camera frames skipped between counts
  std::chrono::milliseconds deadline{1000};  // an answer later than this is useless live
  counting::CountingOptions counting;
};

struct LiveCount {
  std::shared_ptr<const LiveFrame> frame;  // the frame that was counted
  std::vector<infer::Instance> instances;
  std::vector<int> track_ids;
  counting::CountState state;
};

struct LiveCountStats {
  std::uint64_t submitted = 0, completed = 0, failed = 0, busy = 0, unavailable = 0;
  double last_latency_ms = 0;  // frame decoded → result
};

// Publishes one JSON message on a topic (the server's WsHub in production).
using Publisher = std::function<void(const std::string& topic, const nlohmann::json& message)>;

class LiveCounter {
 public:
  LiveCounter(std::string camera_id, std::shared_ptr<const LatestFrame> source, infer::Engine* engine,
              LiveCountOptions options, Publisher publish);
  ~LiveCounter();
  LiveCounter(const LiveCounter&) = delete;
  LiveCounter& operator=(const LiveCounter&) = delete;

  void Start();
  void Stop();
  std::shared_ptr<const LiveCount> Latest() const;
  LiveCountStats Stats() const;

 private:
  void Loop();
  void Tick(std::uint64_t* last_seq);
  void OnResult(std::shared_ptr<const LiveFrame> frame, infer::InferResult result);

  const std::string id_;
  const std::shared_ptr<const LatestFrame> source_;
  infer::Engine* const engine_;
  const LiveCountOptions options_;
  const Publisher publish_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // stop and in-flight completion
  bool stop_ = true;
  bool in_flight_ = false;
  counting::Counter counter_;
  std::shared_ptr<const LiveCount> latest_;
  LiveCountStats stats_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace pw::live
