// The pipeline of one index chunk: a decoder thread samples frames into a bounded queue, the
// job thread keeps up to `in_flight` of them in the engine and feeds the results, in order, to a
// Counter warmed up on the samples before the chunk; the chunk is then committed in one go.
#include <algorithm>
#include <cmath>
#include <deque>
#include <thread>

#include <fmt/format.h>

#include "library/indexer.h"
#include "library/indexer_job.h"
#include "media/frame_decoder.h"
#include "media/image.h"

namespace pw::library {
namespace {

// A decoded sample on its way from the decoder thread to inference.
struct Decoded {
  int64_t k = 0;
  double t = 0;
  int64_t pts = 0;
  cv::Mat bgr;             // empty: the same frame as the previous sample
  core::Status error;
};

// Bounded hand-over between the decoder thread and the job thread (blocks the decoder when full).
class DecodedQueue {
 public:
  explicit DecodedQueue(size_t bound) : bound_(bound) {}
  bool Push(Decoded d) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || items_.size() < bound_; });
    if (closed_) return false;
    items_.push_back(std::move(d));
    cv_.notify_all();
    return true;
  }
  // nullopt when the producer finished and everything was taken.
  std::optional<Decoded> Pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || finished_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    Decoded d = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    return d;
  }
  bool Empty() {
    std::lock_guard lock(mu_);
    return items_.empty();
  }
  void Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Decoded> items_;
  size_t bound_;
  bool finished_ = false;
  bool closed_ = false;
};

}  // namespace

core::Status Indexer::RunChunk(Job& job, int chunk) {
  const int64_t first = static_cast<int64_t>(chunk) * job.samples_per_chunk;
  const int64_t end = std::min<int64_t>(first + job.samples_per_chunk, job.samples_total);
  const auto& copts = options_.counting;
  const int64_t warm = std::min<int64_t>(
      first, static_cast<int64_t>(std::ceil(copts.consensus.window_seconds * job.fps)) + copts.tracker.activation_frames + 1);
  counting::Counter counter(copts);

  // Warm-up from the stored previous chunk when there is one (the same instances the model gave).
  int64_t decode_first = first - warm;
  std::shared_ptr<const std::vector<IndexSample>> previous;
  {
    std::lock_guard lock(mu_);
    if (chunk > 0) previous = job.chunks[chunk - 1];
  }
  if (warm > 0 && previous && static_cast<int64_t>(previous->size()) >= warm) {
    auto instances = ChunkInstances(job, chunk - 1);
    if (instances.ok() && (*instances)->size() == previous->size()) {
      for (size_t i = previous->size() - static_cast<size_t>(warm); i < previous->size(); ++i) {
        counter.Update((*previous)[i].t, (**instances)[i].instances);
      }
      decode_first = first;
    }
  }

  DecodedQueue queue(static_cast<size_t>(std::max(2, options_.decode_ahead)));
  std::thread decoder([&] {
    pthread_setname_np(pthread_self(), "pw-index-dec");
    auto opened = media::FrameDecoder::Open(job.source.path, job.source.index);
    if (!opened.ok()) {
      queue.Push({0, 0, 0, {}, opened.status()});
      queue.Finish();
      return;
    }
    int64_t last_pts = INT64_MIN;
    for (int64_t k = decode_first; k < end && !job.abort; ++k) {
      double t = job.SampleTime(k);
      auto frame = (*opened)->FrameAt(t);
      if (!frame.ok()) {
        queue.Push({k, t, 0, {}, frame.status()});
        break;
      }
      Decoded d{k, (*opened)->index().TimeOf(media::FramePts(**frame)), media::FramePts(**frame), {}, {}};
      if (d.pts != last_pts) {
        auto bgr = media::ToBgr(**frame);
        if (!bgr.ok()) {
          queue.Push({k, t, 0, {}, bgr.status()});
          break;
        }
        d.bgr = std::move(bgr).value();
      }
      last_pts = d.pts;
      if (!queue.Push(std::move(d))) break;
    }
    queue.Finish();
  });
  struct Pending {
    Decoded frame;
    std::future<infer::InferResult> result;
  };
  std::deque<Pending> in_flight;
  std::vector<IndexSample> samples;
  std::vector<SampleInstances> instances;
  std::vector<infer::Instance> last_instances;
  core::Status status;
  bool input_done = false;
  auto submit = [&](const cv::Mat& bgr) {
    infer::InferRequest request;
    request.frame = bgr;
    request.priority = infer::Priority::kBackground;
    return engine_.Submit(std::move(request));
  };
  while (status.ok() && !job.abort && (!input_done || !in_flight.empty())) {
    while (!input_done && in_flight.size() < static_cast<size_t>(std::max(1, options_.in_flight)) &&
           (in_flight.empty() || !queue.Empty())) {
      auto next = queue.Pop();
      if (!next) {
        input_done = true;
        break;
      }
      if (!next->error.ok()) {
        status = next->error;
        break;
      }
      Pending p{std::move(*next), {}};
      if (!p.frame.bgr.empty()) p.result = submit(p.frame.bgr);
      in_flight.push_back(std::move(p));
    }
    if (!status.ok() || in_flight.empty()) continue;
    Pending p = std::move(in_flight.front());
    in_flight.pop_front();
    if (!p.frame.bgr.empty()) {
      infer::InferResult r = p.result.get();
      while (r.status.code() == core::Code::kBusy && !job.abort) {  // the engine is full: retry shortly
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        r = submit(p.frame.bgr).get();
      }
      if (!r.status.ok()) {
        status = r.status;
        break;
      }
      last_instances = std::move(r.instances);
      job.samples_computed++;
    }
    // A repeated frame (sampling faster than the video) repeats the previous result.
    counting::CountFrame counted = p.frame.bgr.empty() && !samples.empty()
                                       ? counting::CountFrame{}
                                       : counter.Update(p.frame.t, last_instances);
    if (p.frame.k < first) continue;
    if (p.frame.bgr.empty() && !samples.empty()) {
      IndexSample repeat = samples.back();
      repeat.t = p.frame.t;
      samples.push_back(repeat);
      instances.push_back(instances.back());
      continue;
    }
    const auto& cs = counted.state;
    samples.push_back({p.frame.t, p.frame.pts, cs.count, cs.raw_count, static_cast<float>(cs.confidence), cs.stable,
                       cs.since, cs.tracks});
    instances.push_back({last_instances, counted.track_ids});
  }
  queue.Close();
  for (auto& p : in_flight) {
    if (p.result.valid()) p.result.wait();  // the engine still holds the frame
  }
  decoder.join();
  if (job.abort) return core::Status::Cancelled("indexing stopped");
  if (!status.ok()) return status;
  if (static_cast<int64_t>(samples.size()) != end - first) {
    return core::Status::Internal(fmt::format("chunk {} produced {} of {} samples", chunk, samples.size(), end - first));
  }

  store::ChunkRow row;
  row.chunk = chunk;
  row.t_start = job.SampleTime(first);
  row.t_end = end == job.samples_total ? job.duration : job.SampleTime(end);
  row.samples = static_cast<int>(samples.size());
  row.summary = EncodeSummaries(samples);
  row.instances = EncodeInstances(instances);
  PW_RETURN_IF_ERROR(store_.PutChunk(job.key, row));
  instance_cache_.Put(job.key + "/" + std::to_string(chunk),
                      std::make_shared<const std::vector<SampleInstances>>(std::move(instances)));
  {
    std::lock_guard lock(mu_);
    if (!job.chunks[chunk]) {
      job.chunks_done++;
      job.samples_done += static_cast<int64_t>(samples.size());
    }
    job.chunks[chunk] = std::make_shared<const std::vector<IndexSample>>(std::move(samples));
    job.version++;
  }
  if (notify_) {
    notify_(job.video_id, {{"type", "index_chunk"}, {"video", job.video_id}, {"chunk", chunk},
                           {"t_start", row.t_start}, {"t_end", row.t_end}}, "");
  }
  return core::Status::Ok();
}

}  // namespace pw::library
