#include "live/mjpeg_feed.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "media/av_log.h"

namespace pw::live {

std::shared_ptr<MjpegFeed> MjpegFeed::Create(std::shared_ptr<const LatestFrame> source, MjpegOptions options) {
  media::RouteFfmpegLogs();
  std::shared_ptr<MjpegFeed> feed(new MjpegFeed(std::move(source), options));
  feed->thread_ = std::thread([raw = feed.get()] { raw->Loop(); });
  return feed;
}

MjpegFeed::MjpegFeed(std::shared_ptr<const LatestFrame> source, MjpegOptions options)
    : source_(std::move(source)), options_(options) {}

MjpegFeed::~MjpegFeed() { Shutdown(); }

void MjpegFeed::Shutdown() {
  std::vector<Deliver> pending;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    for (Viewer* v : viewers_) {
      if (v->pending_) pending.push_back(std::move(v->pending_));
      v->pending_ = nullptr;
    }
  }
  cv_.notify_all();
  for (auto& d : pending) d(nullptr);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::unique_ptr<MjpegFeed::Viewer> MjpegFeed::Join() {
  std::unique_ptr<Viewer> v(new Viewer(shared_from_this()));
  {
    std::lock_guard lock(mu_);
    viewers_.push_back(v.get());
  }
  cv_.notify_all();
  return v;
}

void MjpegFeed::Leave(Viewer* v) {
  std::lock_guard lock(mu_);
  std::erase(viewers_, v);
}

std::size_t MjpegFeed::viewers() const {
  std::lock_guard lock(mu_);
  return viewers_.size();
}

std::uint64_t MjpegFeed::pictures() const {
  std::lock_guard lock(mu_);
  return pictures_;
}

MjpegFeed::Viewer::~Viewer() { feed_->Leave(this); }

void MjpegFeed::Viewer::Next(Deliver deliver) {
  std::shared_ptr<const MjpegPicture> ready;
  {
    std::lock_guard lock(feed_->mu_);
    if (feed_->stopping_) {
      ready = nullptr;
    } else if (feed_->current_ && feed_->current_->seq > last_seq_) {
      ready = feed_->current_;
      last_seq_ = ready->seq;
    } else {
      pending_ = std::move(deliver);
      return;
    }
  }
  deliver(std::move(ready));
}

std::shared_ptr<const MjpegPicture> MjpegFeed::Viewer::WaitNext(std::chrono::milliseconds timeout) {
  auto state = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
  auto result = std::make_shared<std::shared_ptr<const MjpegPicture>>();
  auto done = std::make_shared<bool>(false);
  Next([state, result, done](std::shared_ptr<const MjpegPicture> p) {
    std::lock_guard lock(state->first);
    *result = std::move(p);
    *done = true;
    state->second.notify_all();
  });
  std::unique_lock lock(state->first);
  if (!state->second.wait_for(lock, timeout, [&] { return *done; })) {
    lock.unlock();
    std::lock_guard feed_lock(feed_->mu_);
    pending_ = nullptr;
    return nullptr;
  }
  return *result;
}

void MjpegFeed::Loop() {
  pthread_setname_np(pthread_self(), "pw-mjpeg");
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(0.1, options_.fps)));
  std::uint64_t encoded_seq = 0;
  auto next_at = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !viewers_.empty(); });  // idle while nobody watches
      if (stopping_) return;
      cv_.wait_until(lock, next_at, [&] { return stopping_; });
      if (stopping_) return;
    }
    next_at = std::max(next_at + period, std::chrono::steady_clock::now());
    // A new camera frame within one period, or keep the last picture.
    auto frame = source_->WaitNewer(encoded_seq, std::chrono::duration_cast<std::chrono::milliseconds>(period));
    if (!frame || frame->seq == encoded_seq) continue;
    auto jpeg = frame->Jpeg(options_.quality);
    if (!jpeg.ok()) {
      spdlog::warn("mjpeg: cannot encode a camera frame: {}", jpeg.status().message());
      encoded_seq = frame->seq;
      continue;
    }
    encoded_seq = frame->seq;
    std::vector<Deliver> ready;
    std::shared_ptr<const MjpegPicture> picture;
    {
      std::lock_guard lock(mu_);
      auto p = std::make_shared<MjpegPicture>();
      p->jpeg = *jpeg;
      p->seq = ++pictures_;
      p->frame = frame;
      current_ = picture = p;
      for (Viewer* v : viewers_) {
        if (!v->pending_) continue;
        ready.push_back(std::move(v->pending_));
        v->pending_ = nullptr;
        v->last_seq_ = p->seq;
      }
    }
    for (auto& d : ready) d(picture);
  }
}

}  // namespace pw::live
