#include "webrtc/whep_server.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "webrtc/gst_ptr.h"

namespace pw::webrtc {

struct WhepServer::Loop {
  MainContextPtr context{g_main_context_new()};
  MainLoopPtr loop{g_main_loop_new(context.get(), FALSE)};
  SourcePtr poll;
};

namespace {

std::string NewSessionId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  return fmt::format("{:016x}", rng());
}

constexpr const char* kElements[][2] = {
    {"webrtcbin", "gstreamer1.0-plugins-bad"}, {"nicesrc", "gstreamer1.0-nice"},
    {"dtlssrtpenc", "gstreamer1.0-plugins-bad"}, {"rtph264pay", "gstreamer1.0-plugins-good"},
    {"appsrc", "gstreamer1.0-plugins-base"},
};

}  // namespace

std::vector<std::string> DefaultIceAddresses() {
  std::vector<std::string> out{"127.0.0.1"};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP) ||
        (a->ifa_flags & IFF_LOOPBACK)) {
      continue;
    }
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof(buf));
    if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
  }
  freeifaddrs(list);
  return out;
}

WhepServer::WhepServer(WhepOptions options, PacketSource& source) : options_(std::move(options)), source_(source) {
  if (options_.ice_addresses.empty()) options_.ice_addresses = DefaultIceAddresses();
}

WhepServer::~WhepServer() { Stop(); }

core::Status WhepServer::Start() {
  std::lock_guard life(lifecycle_mu_);
  if (loop_) return core::Status::Ok();
  GError* err = nullptr;
  if (!gst_init_check(nullptr, nullptr, &err)) {
    std::string what = err ? err->message : "unknown";
    if (err) g_error_free(err);
    return core::Status::Unavailable("GStreamer cannot start: " + what);
  }
  for (const auto& [element, package] : kElements) {
    GstPtr<GstElementFactory> factory(gst_element_factory_find(element));
    if (!factory) {
      return core::Status::Unavailable(fmt::format("WebRTC needs the GStreamer element {} (install {})", element, package));
    }
  }
  // Warm-up: plugin loading and the process-wide DTLS certificate, otherwise paid by the first viewer.
  for (const char* element : {"webrtcbin", "dtlsdec"}) {
    auto e = Sink(gst_element_factory_make(element, nullptr));
    if (e) {
      gst_element_set_state(e.get(), GST_STATE_READY);
      gst_element_set_state(e.get(), GST_STATE_NULL);
    }
  }
  loop_ = std::make_unique<Loop>();
  loop_->poll.reset(g_timeout_source_new(static_cast<guint>(options_.poll_interval.count())));
  g_source_set_callback(
      loop_->poll.get(),
      [](gpointer self) -> gboolean {
        static_cast<WhepServer*>(self)->Poll();
        return G_SOURCE_CONTINUE;
      },
      this, nullptr);
  g_source_attach(loop_->poll.get(), loop_->context.get());
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this] { RunLoop(); });
  spdlog::info("webrtc: WHEP ready (ICE on {}, at most {} sessions)", fmt::join(options_.ice_addresses, ", "),
               options_.max_sessions);
  return core::Status::Ok();
}

void WhepServer::RunLoop() {
  g_main_context_push_thread_default(loop_->context.get());
  g_main_loop_run(loop_->loop.get());
  g_main_context_pop_thread_default(loop_->context.get());
}

void WhepServer::Stop() {
  std::lock_guard life(lifecycle_mu_);
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    running_ = false;
    for (const auto& [id, s] : sessions_) ids.push_back(id);
  }
  for (const auto& id : ids) EndSession(id, "the server is stopping");
  if (!loop_) return;
  g_main_loop_quit(loop_->loop.get());
  if (thread_.joinable()) thread_.join();
  loop_.reset();
  // Agents whose wait is over are released; those of sessions closed just now keep what they leak
  // (the server is stopping).
  ReleaseParked(std::chrono::steady_clock::now());
  std::lock_guard lock(mu_);
  parked_.clear();
}

core::Result<std::shared_ptr<CameraForwarder>> WhepServer::Acquire(const std::string& camera_id) {
  std::shared_ptr<CameraForwarder> fresh;
  {
    std::lock_guard lock(mu_);
    auto& entry = cameras_[camera_id];
    ++entry.users;
    if (entry.forwarder) return entry.forwarder;
    entry.forwarder = fresh = std::make_shared<CameraForwarder>(camera_id);
  }
  if (auto st = source_.Subscribe(camera_id, fresh); !st.ok()) {
    Release(camera_id);
    return st;
  }
  return fresh;
}

void WhepServer::Release(const std::string& camera_id) {
  std::shared_ptr<CameraForwarder> unused;
  {
    std::lock_guard lock(mu_);
    auto it = cameras_.find(camera_id);
    if (it == cameras_.end() || --it->second.users > 0) return;
    unused = std::move(it->second.forwarder);
    cameras_.erase(it);
  }
  if (unused) source_.Unsubscribe(camera_id, unused.get());
}

core::Result<WhepAnswer> WhepServer::Create(const std::string& camera_id, const std::string& offer_sdp) {
  {
    std::lock_guard lock(mu_);
    if (!running_) return core::Status::Unavailable("WebRTC is not running on this server");
    if (reserved_ >= options_.max_sessions) {
      return core::Status::Busy(fmt::format("{} WebRTC viewers are connected, the most allowed "
                                            "(WEBRTC_MAX_SESSIONS); close one or use live HLS/MJPEG",
                                            options_.max_sessions));
    }
    ++reserved_;
  }
  auto unreserve = [this] {
    std::lock_guard lock(mu_);
    --reserved_;
  };
  auto forwarder = Acquire(camera_id);
  if (!forwarder.ok()) {
    unreserve();
    return forwarder.status();
  }
  SessionOptions sopts{options_.ice_addresses, options_.negotiate_timeout, options_.heartbeat_timeout,
                       options_.connect_timeout, options_.rtcp_timeout};
  auto session = std::make_shared<WhepSession>(NewSessionId(), camera_id, sopts);
  core::Result<std::string> answer = core::Status::Unavailable("");
  if (auto st = (*forwarder)->WaitReady(options_.ready_timeout); !st.ok()) {
    answer = st;
  } else {
    answer = session->Negotiate(offer_sdp);
  }
  if (answer.ok()) {
    std::lock_guard lock(mu_);
    if (running_) {
      sessions_[session->id()] = session;
      (*forwarder)->AddSink(session);
      spdlog::info("webrtc: camera {} viewer {} connected ({} sessions)", camera_id, session->id(), sessions_.size());
      return WhepAnswer{session->id(), *answer};
    }
    answer = core::Status::Unavailable("the server is stopping");
  }
  session->Close();
  Park(session->TakeIce());
  Release(camera_id);
  unreserve();
  spdlog::info("webrtc: camera {}: offer refused: {}", camera_id, answer.status().message());
  return answer.status();
}

void WhepServer::EndSession(const std::string& session_id, const std::string& reason) {
  std::shared_ptr<WhepSession> session;
  std::shared_ptr<CameraForwarder> forwarder;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return;
    session = std::move(it->second);
    sessions_.erase(it);
    --reserved_;
    if (auto cam = cameras_.find(session->camera_id()); cam != cameras_.end()) forwarder = cam->second.forwarder;
  }
  if (forwarder) forwarder->RemoveSink(session.get());
  session->Close();
  Park(session->TakeIce());
  Release(session->camera_id());
  spdlog::info("webrtc: camera {} viewer {} ended: {}", session->camera_id(), session_id, reason);
}

core::Status WhepServer::Delete(const std::string& camera_id, const std::string& session_id) {
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second->camera_id() != camera_id) {
      return core::Status::NotFound("no WebRTC session " + session_id + " for camera " + camera_id +
                                    " (it ended already or never existed)");
    }
  }
  EndSession(session_id, "the viewer hung up (DELETE)");
  return core::Status::Ok();
}

void WhepServer::Park(std::unique_ptr<ParkedIce> ice) {
  if (!ice) return;
  std::lock_guard lock(mu_);
  parked_.emplace_back(std::chrono::steady_clock::now(), std::move(ice));
}

void WhepServer::ReleaseParked(std::chrono::steady_clock::time_point now) {
  using Parked = std::pair<std::chrono::steady_clock::time_point, std::unique_ptr<ParkedIce>>;
  std::vector<Parked> due;
  {
    std::lock_guard lock(mu_);
    for (auto it = parked_.begin(); it != parked_.end();) {
      if (now - it->first >= kIceReleaseDelay) {
        due.push_back(std::move(*it));
        it = parked_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::vector<Parked> again;
  for (auto& [since, ice] : due) {
    unsigned surplus = 0;
    if (ice->TryRelease(&surplus)) {
      if (surplus > 0) spdlog::debug("webrtc: released {} leaked references of a closed session's ICE agent", surplus);
    } else if (now - since < std::chrono::minutes(1)) {
      again.emplace_back(since, std::move(ice));  // its webrtcbin is still alive: later
    } else {
      spdlog::warn("webrtc: a session's webrtcbin is still alive a minute after it closed; its ICE agent is left to it");
    }
  }
  std::lock_guard lock(mu_);
  for (auto& parked : again) parked_.push_back(std::move(parked));
}

void WhepServer::Poll() {
  std::vector<std::shared_ptr<WhepSession>> sessions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : sessions_) sessions.push_back(s);
  }
  const auto now = std::chrono::steady_clock::now();
  ReleaseParked(now);
  for (const auto& s : sessions) {
    if (std::string problem = s->Problem(now); !problem.empty()) {
      EndSession(s->id(), problem);
    } else {
      s->Greet();
    }
  }
}

void WhepServer::SendMetadata(const std::string& camera_id, const std::string& json) {
  std::vector<std::shared_ptr<WhepSession>> sessions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : sessions_) {
      if (s->camera_id() == camera_id) sessions.push_back(s);
    }
  }
  for (const auto& s : sessions) {
    s->Greet();  // the greeting comes first on a channel that just opened
    s->SendText(json);
  }
}

std::size_t WhepServer::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::vector<std::string> WhepServer::session_ids(const std::string& camera_id) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, s] : sessions_) {
    if (camera_id.empty() || s->camera_id() == camera_id) out.push_back(id);
  }
  return out;
}

nlohmann::json WhepServer::ToJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, s] : sessions_) {
    list.push_back({{"id", id},
                    {"camera", s->camera_id()},
                    {"connected", s->connected()},
                    {"frames_sent", s->frames_sent()},
                    {"data_channel", s->has_data_channel()}});
  }
  return {{"sessions", list}, {"max_sessions", options_.max_sessions}, {"ice_addresses", options_.ice_addresses}};
}

}  // namespace pw::webrtc
