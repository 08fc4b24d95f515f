#include "webrtc/whep_session.h"

#include <spdlog/spdlog.h>

#include "webrtc/sdp_util.h"

namespace pw::webrtc {

namespace {

using Clock = std::chrono::steady_clock;

// Waits for a GstPromise with a deadline (gst_promise_wait has none).
struct PromiseWaiter {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
};

void OnPromiseChanged(GstPromise*, gpointer data) {
  auto* w = static_cast<std::shared_ptr<PromiseWaiter>*>(data);
  std::lock_guard lock((*w)->mu);
  (*w)->done = true;
  (*w)->cv.notify_all();
}

GstElement* Make(const char* factory) { return gst_element_factory_make(factory, nullptr); }

}  // namespace

WhepSession::WhepSession(std::string id, std::string camera_id, SessionOptions options)
    : id_(std::move(id)), camera_id_(std::move(camera_id)), options_(std::move(options)) {}

WhepSession::~WhepSession() { Close(); }

core::Status WhepSession::Build() {
  pipeline_ = Sink(gst_pipeline_new(("whep-" + id_).c_str()));
  webrtc_ = Make("webrtcbin");
  if (!pipeline_ || !webrtc_) {
    if (webrtc_) gst_object_unref(gst_object_ref_sink(webrtc_));
    webrtc_ = nullptr;
    return core::Status::Internal("GStreamer webrtcbin is missing; install gstreamer1.0-plugins-bad and gstreamer1.0-nice");
  }
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);

  GObject* ice_raw = nullptr;
  g_object_get(webrtc_, "ice-agent", &ice_raw, nullptr);
  GstPtr<GObject> ice(ice_raw);
  if (ice) ice_ = std::make_unique<ParkedIce>(Ref(ice.get()), webrtc_);
  if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent")) {
    GObject* agent_raw = nullptr;
    g_object_get(ice.get(), "agent", &agent_raw, nullptr);
    GstPtr<GObject> agent(agent_raw);
    // UPnP discovery costs ~200 ms per gathering; conncheck keepalives notice a vanished peer.
    if (agent) g_object_set(agent.get(), "upnp", FALSE, "keepalive-conncheck", TRUE, nullptr);
  }
  for (const auto& address : options_.ice_addresses) {
    gboolean ok = FALSE;
    if (ice) g_signal_emit_by_name(ice.get(), "add-local-ip-address", address.c_str(), &ok);
    if (!ok) spdlog::warn("webrtc: ICE cannot use local address {}", address);
  }

  g_signal_connect(webrtc_, "on-data-channel", G_CALLBACK(&WhepSession::OnDataChannel), this);
  g_signal_connect(webrtc_, "notify::ice-connection-state", G_CALLBACK(&WhepSession::OnIceState), this);
  g_signal_connect(webrtc_, "notify::connection-state", G_CALLBACK(&WhepSession::OnIceState), this);
  g_signal_connect(webrtc_, "notify::ice-gathering-state", G_CALLBACK(&WhepSession::OnGatherState), this);

  // RTCP from the viewer (receiver reports) is the liveness signal that needs no client code.
  ForEach<GstElement>(gst_bin_iterate_elements(GST_BIN(webrtc_)), [this](GstElement* child) {
    GstElementFactory* f = gst_element_get_factory(child);
    if (f && g_strcmp0(GST_OBJECT_NAME(f), "rtpbin") == 0) rtpbin_ = Ref(child);
  });

  // webrtcbin runs its negotiation tasks only from READY on.
  if (gst_element_set_state(pipeline_.get(), GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
    return core::Status::Internal("the WebRTC pipeline cannot start (see the log)");
  }
  CapsPtr caps(gst_caps_from_string("application/x-rtp,media=video,encoding-name=H264,clock-rate=90000"));
  GstWebRTCRTPTransceiver* trans = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, caps.get(), &trans);
  transceiver_.reset(trans);
  if (!transceiver_) return core::Status::Internal("webrtcbin refused an H.264 send-only transceiver");
  return core::Status::Ok();
}

core::Result<GstStructure*> WhepSession::Await(const char* signal, GstWebRTCSessionDescription* desc,
                                               PromisePtr& promise) {
  auto waiter = std::make_shared<PromiseWaiter>();
  promise.reset(gst_promise_new_with_change_func(
      &OnPromiseChanged, new std::shared_ptr<PromiseWaiter>(waiter),
      [](gpointer p) { delete static_cast<std::shared_ptr<PromiseWaiter>*>(p); }));
  if (desc) {
    g_signal_emit_by_name(webrtc_, signal, desc, promise.get());
  } else {
    g_signal_emit_by_name(webrtc_, signal, nullptr, promise.get());
  }
  std::unique_lock lock(waiter->mu);
  if (!waiter->cv.wait_for(lock, options_.negotiate_timeout, [&] { return waiter->done; })) {
    lock.unlock();
    gst_promise_interrupt(promise.get());
    return core::Status::TimedOut(std::string("webrtcbin did not complete ") + signal + " in time");
  }
  lock.unlock();
  if (gst_promise_wait(promise.get()) != GST_PROMISE_RESULT_REPLIED) {
    return core::Status::Internal(std::string("webrtcbin interrupted ") + signal);
  }
  auto* reply = const_cast<GstStructure*>(gst_promise_get_reply(promise.get()));
  if (reply && gst_structure_has_field(reply, "error")) {
    GError* err = nullptr;
    gst_structure_get(reply, "error", G_TYPE_ERROR, &err, nullptr);
    std::string what = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    return core::Status::InvalidArgument(std::string("the offer cannot be answered (") + signal + "): " + what);
  }
  return reply;
}

core::Result<std::string> WhepSession::Negotiate(const std::string& offer_sdp) {
  auto offer = ParseWhepOffer(offer_sdp);
  if (!offer.ok()) return offer.status();
  if (auto st = Build(); !st.ok()) return st;

  SessionDescriptionPtr remote(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, offer->release()));
  PromisePtr promise;
  if (auto r = Await("set-remote-description", remote.get(), promise); !r.ok()) return r.status();

  auto answer_reply = Await("create-answer", nullptr, promise);
  if (!answer_reply.ok()) return answer_reply.status();
  GstWebRTCSessionDescription* answer_raw = nullptr;
  if (!*answer_reply || !gst_structure_get(*answer_reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                                           &answer_raw, nullptr)) {
    return core::Status::InvalidArgument("webrtcbin produced no answer for this offer (no common codec?)");
  }
  SessionDescriptionPtr answer(answer_raw);
  const H264Choice h264 = ChooseH264(*answer->sdp);
  if (h264.payload_type < 0) {
    return core::Status::InvalidArgument("the answer has no H.264 video; the viewer must accept H.264 (Baseline/Main)");
  }
  PromisePtr local_promise;
  if (auto r = Await("set-local-description", answer.get(), local_promise); !r.ok()) return r.status();
  if (auto st = StartMedia(h264.payload_type, h264.mline); !st.ok()) return st;
  WatchRtcp();

  {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, options_.negotiate_timeout, [&] { return gathered_ || closed_; })) {
      return core::Status::TimedOut("ICE gathering did not complete; check WEBRTC_ICE_ADDRESSES");
    }
    answered_at_ = Clock::now();
  }
  GstWebRTCSessionDescription* local_raw = nullptr;
  g_object_get(webrtc_, "local-description", &local_raw, nullptr);
  SessionDescriptionPtr local(local_raw);
  std::string text = SdpText(local.get());
  if (text.empty()) return core::Status::Internal("webrtcbin has no local description after answering");
  return text;
}

core::Status WhepSession::StartMedia(int payload_type, unsigned mline) {
  GstElement* src = Make("appsrc");
  GstElement* pay = Make("rtph264pay");
  if (!src || !pay) {
    for (GstElement* e : {src, pay}) {
      if (e) gst_object_unref(gst_object_ref_sink(e));
    }
    return core::Status::Internal("GStreamer appsrc/rtph264pay missing; install gstreamer1.0-plugins-base/-good");
  }
  CapsPtr caps(gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au"));
  g_object_set(src, "caps", caps.get(), "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
               "block", FALSE, "max-bytes", static_cast<guint64>(options_.queue_bytes), "leaky-type",
               GST_APP_LEAKY_TYPE_DOWNSTREAM, nullptr);
  g_object_set(pay, "pt", static_cast<guint>(payload_type), "config-interval", -1, nullptr);
  gst_bin_add_many(GST_BIN(pipeline_.get()), src, pay, nullptr);
  // add-transceiver made the transceiver's sink pad already (1.22); request one otherwise.
  const std::string pad_name = "sink_" + std::to_string(mline);
  GstPtr<GstPad> sink(gst_element_get_static_pad(webrtc_, pad_name.c_str()));
  if (!sink) {
    GstPadTemplate* templ = gst_element_get_pad_template(webrtc_, "sink_%u");
    sink.reset(gst_element_request_pad(webrtc_, templ, pad_name.c_str(), nullptr));
  }
  GstPtr<GstPad> pay_src(gst_element_get_static_pad(pay, "src"));
  if (!gst_element_link(src, pay) || !sink || gst_pad_link(pay_src.get(), sink.get()) != GST_PAD_LINK_OK) {
    return core::Status::Internal("cannot link the H.264 payloader to webrtcbin");
  }
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    return core::Status::Internal("the WebRTC pipeline cannot start playing (see the log)");
  }
  payload_type_ = payload_type;
  std::lock_guard lock(mu_);
  if (!closed_) appsrc_ = Ref(src);
  return core::Status::Ok();
}

void WhepSession::PushAccessUnit(GstBuffer* au, bool keyframe, std::uint64_t epoch) {
  std::lock_guard lock(mu_);
  if (!appsrc_) return;
  if (!GST_BUFFER_PTS_IS_VALID(au)) return;
  const GstClockTime pts = GST_BUFFER_PTS(au);
  // A reconnect, or a timestamp jump within a connection (wrap, camera clock reset): re-base the
  // timeline at the next keyframe instead of sending frames far in the past or future.
  const bool jumped = !waiting_key_ && (pts + GST_SECOND < last_src_ || pts > last_src_ + 10 * GST_SECOND);
  if (epoch != epoch_ || jumped) {
    epoch_ = epoch;
    waiting_key_ = true;
  }
  if (waiting_key_) {
    if (!keyframe) return;
    GstPtr<GstClock> clock(gst_element_get_clock(appsrc_.get()));
    if (!clock) return;
    waiting_key_ = false;
    base_src_ = pts;
    base_run_ = gst_clock_get_time(clock.get()) - gst_element_get_base_time(appsrc_.get());
  }
  last_src_ = pts;
  if (pts < base_src_) return;
  GstBuffer* copy = gst_buffer_copy(au);  // shares the memory; own timestamps
  GST_BUFFER_PTS(copy) = base_run_ + (pts - base_src_);
  GST_BUFFER_DTS(copy) = GST_BUFFER_PTS(copy);
  if (gst_app_src_push_buffer(GST_APP_SRC(appsrc_.get()), copy) == GST_FLOW_OK) ++frames_sent_;
}

bool WhepSession::SendText(const std::string& text) {
  GstPtr<GObject> channel;
  {
    std::lock_guard lock(mu_);
    if (!channel_ || closed_) return false;
    channel = Ref(channel_.get());
  }
  GstWebRTCDataChannelState state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;
  g_object_get(channel.get(), "ready-state", &state, nullptr);
  if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) return false;
  g_signal_emit_by_name(channel.get(), "send-string", text.c_str());
  return true;
}

void WhepSession::Greet() {
  if (greeted_) return;
  const std::string hello = R"({"type":"whep","session":")" + id_ + R"(","camera":")" + camera_id_ + R"("})";
  if (SendText(hello)) greeted_ = true;
}

bool WhepSession::has_data_channel() const {
  std::lock_guard lock(mu_);
  return channel_ != nullptr;
}

std::string WhepSession::Problem(Clock::time_point now) {
  GstPtr<GstBus> bus;
  {
    std::lock_guard lock(mu_);
    if (!end_reason_.empty()) return end_reason_;
    if (closed_) return "closed";
    const auto secs = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
    if (answered_at_ != Clock::time_point{} && !connected_ && now - answered_at_ > options_.connect_timeout) {
      return "the viewer did not connect within " + secs(options_.connect_timeout) + " s";
    }
    if (last_rtcp_ != Clock::time_point{} && now - last_rtcp_ > options_.rtcp_timeout) {
      return "no RTCP from the viewer for " + secs(options_.rtcp_timeout) + " s (it went away)";
    }
    if (pinged_ && now - last_message_ > options_.heartbeat_timeout) {
      return "no heartbeat from the viewer for " + secs(options_.heartbeat_timeout) + " s";
    }
    if (pipeline_) bus = Adopt(gst_element_get_bus(pipeline_.get()));
  }
  if (!bus) return {};
  while (GstMessage* msg = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR)) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    std::string reason = std::string("pipeline error: ") + (err ? err->message : "unknown");
    if (err) g_error_free(err);
    gst_message_unref(msg);
    End(reason);
  }
  std::lock_guard lock(mu_);
  return end_reason_;
}

void WhepSession::End(std::string reason) {
  std::lock_guard lock(mu_);
  if (end_reason_.empty()) end_reason_ = std::move(reason);
}

void WhepSession::Close() {
  GstPtr<GObject> channel;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    appsrc_.reset();
    channel = std::move(channel_);
    cv_.notify_all();
  }
  if (channel) g_signal_handlers_disconnect_by_data(channel.get(), this);
  if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_, this);
  for (auto& [pad, probe] : rtcp_probes_) gst_pad_remove_probe(pad.get(), probe);
  rtcp_probes_.clear();
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  channel.reset();
  rtpbin_.reset();
  transceiver_.reset();
  pipeline_.reset();
  webrtc_ = nullptr;
}

std::unique_ptr<ParkedIce> WhepSession::TakeIce() { return std::move(ice_); }

void WhepSession::OnDataChannel(GstElement*, GObject* channel, gpointer self) {
  auto* s = static_cast<WhepSession*>(self);
  std::lock_guard lock(s->mu_);
  if (s->closed_ || s->channel_) return;  // metadata goes to the first channel the viewer opened
  s->channel_ = Ref(channel);
  g_signal_connect(channel, "on-message-string", G_CALLBACK(&WhepSession::OnMessage), s);
  g_signal_connect(channel, "on-close", G_CALLBACK(&WhepSession::OnChannelClose), s);
}

void WhepSession::OnMessage(GObject*, gchar*, gpointer self) {
  auto* s = static_cast<WhepSession*>(self);
  std::lock_guard lock(s->mu_);
  s->pinged_ = true;
  s->last_message_ = Clock::now();
}

GstPadProbeReturn WhepSession::OnRtcp(GstPad*, GstPadProbeInfo*, gpointer self) {
  auto* s = static_cast<WhepSession*>(self);
  std::lock_guard lock(s->mu_);
  s->last_rtcp_ = Clock::now();
  return GST_PAD_PROBE_OK;
}

void WhepSession::WatchRtcp() {
  if (!rtpbin_) return;
  ForEach<GstPad>(gst_element_iterate_sink_pads(rtpbin_.get()), [this](GstPad* pad) {
    // The viewer's receiver reports arrive on the RTCP input; a send-only session receives nothing
    // but RTCP on the RTP input either, so any packet on them proves the viewer is alive.
    if (g_str_has_prefix(GST_OBJECT_NAME(pad), "recv_rtcp_sink_") ||
        g_str_has_prefix(GST_OBJECT_NAME(pad), "recv_rtp_sink_")) {
      const auto type = static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST);
      rtcp_probes_.emplace_back(Ref(pad), gst_pad_add_probe(pad, type, &WhepSession::OnRtcp, this, nullptr));
    }
  });
  if (rtcp_probes_.empty()) spdlog::warn("webrtc: no RTCP input found; vanished viewers are noticed only by ICE/heartbeat");
}

void WhepSession::OnChannelClose(GObject*, gpointer self) {
  static_cast<WhepSession*>(self)->End("the viewer closed the data channel");
}

void WhepSession::OnIceState(GObject* webrtc, GParamSpec*, gpointer self) {
  auto* s = static_cast<WhepSession*>(self);
  GstWebRTCICEConnectionState ice = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  GstWebRTCPeerConnectionState pc = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
  g_object_get(webrtc, "ice-connection-state", &ice, "connection-state", &pc, nullptr);
  if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED || ice == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) {
    s->connected_ = true;
  }
  if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED || pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    s->End("the connection to the viewer failed (ICE)");
  } else if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED || pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
    s->End("the connection to the viewer closed");
  }
}

void WhepSession::OnGatherState(GObject* webrtc, GParamSpec*, gpointer self) {
  auto* s = static_cast<WhepSession*>(self);
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
  g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) return;
  std::lock_guard lock(s->mu_);
  s->gathered_ = true;
  s->cv_.notify_all();
}

}  // namespace pw::webrtc
