#include "live/live_hls.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "live/camera_manager.h"

namespace pw::live {

using core::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kUriPrefix = "live/";  // the playlist is .../live.m3u8, resources .../live/{name}

}  // namespace

Status CameraManagerHlsSource::Subscribe(const std::string& camera_id, std::shared_ptr<PacketSubscriber> subscriber) {
  auto camera = cameras_.Find(camera_id);
  if (!camera.ok()) return camera.status();
  // The camera's video as browsers take it: H.264 as sent, or the camera's one shared transcode
  // (H.265, B-frames) — the same packets the WebRTC viewers get, so both cost one encode at most.
  return (*camera)->AddBrowserVideoSubscriber(std::move(subscriber));
}

void CameraManagerHlsSource::Unsubscribe(const std::string& camera_id, const PacketSubscriber* subscriber) {
  if (auto camera = cameras_.Find(camera_id); camera.ok()) (*camera)->RemoveBrowserVideoSubscriber(subscriber);
}

LiveHls::LiveHls(LiveHlsOptions options, LiveHlsSource& source) : options_(options), source_(source) {
  thread_ = std::thread([this] { Housekeep(); });
}

LiveHls::~LiveHls() { Stop(); }

void LiveHls::Stop() {
  std::map<std::string, Session> sessions;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    sessions.swap(sessions_);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, s] : sessions) {
    source_.Unsubscribe(id, s.stream.get());
    s.stream->WakeAll();
  }
}

core::Result<std::shared_ptr<LiveHlsStream>> LiveHls::Find(const std::string& camera_id, bool create) {
  std::lock_guard lock(mu_);
  if (stopping_) return Status::Unavailable("the server is stopping");
  auto it = sessions_.find(camera_id);
  if (it != sessions_.end()) {
    it->second.last_request = Clock::now();
    return it->second.stream;
  }
  if (!create) {
    return Status::NotFound("camera " + camera_id + " has no live HLS stream running; request live.m3u8 first");
  }
  auto stream = std::make_shared<LiveHlsStream>(camera_id, options_.stream);
  PW_RETURN_IF_ERROR(source_.Subscribe(camera_id, stream));
  spdlog::info("live hls: camera {}: started", camera_id);
  sessions_[camera_id] = Session{stream, Clock::now(), Clock::now()};
  return stream;
}

void LiveHls::Playlist(const std::string& camera_id, std::optional<std::uint64_t> msn,
                       std::optional<std::int64_t> part, LiveHlsDone done) {
  auto stream = Find(camera_id, /*create=*/true);
  if (!stream.ok()) return done(stream.status());
  auto s = *stream;
  Status ready = s->Ready();
  if (msn && ready.ok() && *msn > s->next_msn() + 2) {
    return done(Status::InvalidArgument("_HLS_msn=" + std::to_string(*msn) + " is more than two segments ahead of " +
                                        "the live edge (" + std::to_string(s->next_msn()) + ")"));
  }
  auto answer = [s, done = std::move(done)] {
    auto text = s->Playlist(kUriPrefix);
    if (!text.ok()) return done(text.status());
    done(LiveHlsReply{LiveHlsReply::Kind::kPlaylist, std::make_shared<const std::string>(std::move(*text))});
  };
  if (ready.code() == core::Code::kUnprocessable) return answer();
  if (msn) {
    s->WhenAvailable(*msn, part.value_or(-1), Clock::now() + options_.block_limit, std::move(answer));
  } else if (!ready.ok()) {
    s->WhenAvailable(0, -1, Clock::now() + options_.first_segment_wait, std::move(answer));
  } else {
    answer();
  }
}

void LiveHls::Resource(const std::string& camera_id, const std::string& name, LiveHlsDone done) {
  auto parsed = ParseLiveHlsName(name);
  if (!parsed) {
    return done(Status::NotFound("no live HLS resource named '" + name +
                                 "' (expected init-N.mp4, seg-N.m4s or part-N.I.m4s)"));
  }
  auto stream = Find(camera_id, /*create=*/false);
  if (!stream.ok()) return done(stream.status());
  auto s = *stream;
  const LiveHlsName n = *parsed;
  auto answer = [s, n, done = std::move(done)] {
    auto bytes = s->Resource(n);
    if (!bytes.ok()) return done(bytes.status());
    done(LiveHlsReply{n.kind == LiveHlsName::Kind::kInit ? LiveHlsReply::Kind::kInit : LiveHlsReply::Kind::kMedia,
                      std::move(*bytes)});
  };
  if (n.kind == LiveHlsName::Kind::kPart && !s->Available(n.msn, static_cast<std::int64_t>(n.part)) &&
      s->Upcoming(n.msn)) {
    s->WhenAvailable(n.msn, static_cast<std::int64_t>(n.part), Clock::now() + options_.block_limit,
                     std::move(answer));
    return;
  }
  answer();
}

void LiveHls::Housekeep() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.tick);
    if (stopping_) break;
    const auto now = Clock::now();
    std::vector<std::shared_ptr<LiveHlsStream>> live;
    std::vector<std::pair<std::string, std::shared_ptr<LiveHlsStream>>> idle, quiet;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      Session& session = it->second;
      if (now - session.last_request > options_.idle_stop) {
        idle.emplace_back(it->first, std::move(session.stream));
        it = sessions_.erase(it);
        continue;
      }
      live.push_back(session.stream);
      if (now - std::max(session.stream->last_packet(), session.last_subscribe) > options_.resubscribe_after) {
        session.last_subscribe = now;
        quiet.emplace_back(it->first, session.stream);
      }
      ++it;
    }
    lock.unlock();  // waking answers and (un)subscribing take other locks
    for (auto& s : live) s->ExpireWaiters(now);
    for (auto& [id, s] : quiet) {  // same stream, so the timeline goes on (with a discontinuity)
      source_.Unsubscribe(id, s.get());
      if (auto st = source_.Subscribe(id, s); !st.ok()) spdlog::debug("live hls: camera {}: {}", id, st.message());
    }
    for (auto& [id, s] : idle) {
      source_.Unsubscribe(id, s.get());
      s->WakeAll();
      spdlog::info("live hls: camera {}: stopped (no viewer for {:.1f} s)", id, options_.idle_stop.count() / 1000.0);
    }
    lock.lock();
  }
}

std::size_t LiveHls::stream_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

nlohmann::json LiveHls::ToJson() const {
  std::vector<std::shared_ptr<LiveHlsStream>> streams;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : sessions_) streams.push_back(s.stream);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : streams) list.push_back(s->ToJson());
  return {{"streams", list},
          {"options",
           {{"part_target_s", options_.stream.part_target_s},
            {"segment_target_s", options_.stream.segment_target_s},
            {"max_segments", options_.stream.max_segments},
            {"idle_stop_s", options_.idle_stop.count() / 1000.0}}}};
}

}  // namespace pw::live
