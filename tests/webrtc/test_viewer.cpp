#include "webrtc/test_viewer.h"

#include <thread>

namespace pw::test {

using webrtc::CapsPtr;
using webrtc::GstPtr;
using webrtc::PromisePtr;
using webrtc::SessionDescriptionPtr;

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TestViewer::TestViewer(bool data_channel, bool decode) : decode_(decode) {
  gst_init(nullptr, nullptr);
  pipeline_ = webrtc::Sink(gst_pipeline_new("viewer"));
  webrtc_ = gst_element_factory_make("webrtcbin", nullptr);
  g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
  gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);
  GObject* ice_raw = nullptr;
  g_object_get(webrtc_, "ice-agent", &ice_raw, nullptr);
  GstPtr<GObject> ice(ice_raw);
  GObject* agent_raw = nullptr;
  g_object_get(ice.get(), "agent", &agent_raw, nullptr);
  GstPtr<GObject> agent(agent_raw);
  g_object_set(agent.get(), "upnp", FALSE, nullptr);
  gboolean ok = FALSE;
  g_signal_emit_by_name(ice.get(), "add-local-ip-address", "127.0.0.1", &ok);

  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&TestViewer::OnPadAdded), this);
  g_signal_connect(webrtc_, "notify::ice-gathering-state",
                   G_CALLBACK(+[](GObject* w, GParamSpec*, gpointer self) {
                     GstWebRTCICEGatheringState s = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
                     g_object_get(w, "ice-gathering-state", &s, nullptr);
                     if (s == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) static_cast<TestViewer*>(self)->gathered_ = true;
                   }),
                   this);
  gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
  CapsPtr caps(gst_caps_from_string(
      "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=102,packetization-mode=(string)1"));
  GstWebRTCRTPTransceiver* trans = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps.get(), &trans);
  if (trans) gst_object_unref(trans);
  if (!data_channel) return;
  GObject* ch = nullptr;
  g_signal_emit_by_name(webrtc_, "create-data-channel", "pigweight", nullptr, &ch);
  channel_.reset(ch);
  if (!channel_) return;
  g_signal_connect(ch, "on-open", G_CALLBACK(+[](GObject*, gpointer self) {
                     static_cast<TestViewer*>(self)->channel_open_ = true;
                   }),
                   this);
  g_signal_connect(ch, "on-message-string", G_CALLBACK(+[](GObject*, gchar* text, gpointer self) {
                     auto* v = static_cast<TestViewer*>(self);
                     std::lock_guard lock(v->mu_);
                     v->messages_.emplace_back(text);
                   }),
                   this);
}

TestViewer::~TestViewer() { Close(); }

void TestViewer::Close() {
  if (channel_) g_signal_handlers_disconnect_by_data(channel_.get(), this);
  if (webrtc_) g_signal_handlers_disconnect_by_data(webrtc_, this);
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  channel_.reset();
  pipeline_.reset();
  webrtc_ = nullptr;
}

const GstStructure* TestViewer::Await(const char* signal, GstWebRTCSessionDescription* desc, PromisePtr& p) {
  p.reset(gst_promise_new());
  if (desc) {
    g_signal_emit_by_name(webrtc_, signal, desc, p.get());
  } else {
    g_signal_emit_by_name(webrtc_, signal, nullptr, p.get());
  }
  if (gst_promise_wait(p.get()) != GST_PROMISE_RESULT_REPLIED) return nullptr;
  return gst_promise_get_reply(p.get());
}

std::string TestViewer::Offer() {
  PromisePtr p;
  const GstStructure* reply = Await("create-offer", nullptr, p);
  GstWebRTCSessionDescription* offer_raw = nullptr;
  if (!reply || !gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer_raw, nullptr)) {
    return {};
  }
  SessionDescriptionPtr offer(offer_raw);
  PromisePtr p2;
  Await("set-local-description", offer.get(), p2);
  if (!WaitUntil([&] { return gathered_.load(); }, std::chrono::seconds(5))) return {};
  GstWebRTCSessionDescription* local_raw = nullptr;
  g_object_get(webrtc_, "local-description", &local_raw, nullptr);
  SessionDescriptionPtr local(local_raw);
  return webrtc::SdpText(local.get());
}

bool TestViewer::Accept(const std::string& answer) {
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(answer.c_str(), &sdp) != GST_SDP_OK) return false;
  SessionDescriptionPtr desc(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp));
  PromisePtr p;
  const GstStructure* reply = Await("set-remote-description", desc.get(), p);
  return !(reply && gst_structure_has_field(reply, "error"));
}

bool TestViewer::Send(const std::string& text) {
  if (!channel_ || !channel_open_) return false;
  g_signal_emit_by_name(channel_.get(), "send-string", text.c_str());
  return true;
}

std::vector<std::string> TestViewer::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

void TestViewer::OnPadAdded(GstElement*, GstPad* pad, gpointer self) {
  auto* v = static_cast<TestViewer*>(self);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstElement* depay = gst_element_factory_make("rtph264depay", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  GstPtr<GstPad> depay_src(gst_element_get_static_pad(depay, "src"));
  gst_pad_add_probe(depay_src.get(), GST_PAD_PROBE_TYPE_BUFFER,
                    +[](GstPad*, GstPadProbeInfo* info, gpointer s) {
                      auto* viewer = static_cast<TestViewer*>(s);
                      const GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
                      if (GST_CLOCK_TIME_IS_VALID(pts)) {
                        if (GST_CLOCK_TIME_IS_VALID(viewer->max_pts_) && pts < viewer->max_pts_) ++viewer->out_of_order_;
                        if (!GST_CLOCK_TIME_IS_VALID(viewer->max_pts_) || pts > viewer->max_pts_) viewer->max_pts_ = pts;
                      }
                      return GST_PAD_PROBE_OK;
                    },
                    v, nullptr);
  g_object_set(sink, "signal-handoffs", TRUE, "sync", FALSE, "async", FALSE, nullptr);
  g_signal_connect(sink, "handoff", G_CALLBACK(+[](GstElement*, GstBuffer* b, GstPad*, gpointer s) {
                     auto* viewer = static_cast<TestViewer*>(s);
                     if (viewer->frames_++ == 0) {
                       viewer->first_key_ = GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT) ? 0 : 1;
                     }
                   }),
                   v);
  gst_bin_add_many(GST_BIN(v->pipeline_.get()), depay, sink, nullptr);
  if (v->decode_) {
    GstElement* parse = gst_element_factory_make("h264parse", nullptr);
    GstElement* dec = gst_element_factory_make("avdec_h264", nullptr);
    gst_bin_add_many(GST_BIN(v->pipeline_.get()), parse, dec, nullptr);
    gst_element_link_many(depay, parse, dec, sink, nullptr);
    gst_element_sync_state_with_parent(parse);
    gst_element_sync_state_with_parent(dec);
  } else {
    gst_element_link(depay, sink);
  }
  gst_element_sync_state_with_parent(depay);
  gst_element_sync_state_with_parent(sink);
  GstPtr<GstPad> depay_sink(gst_element_get_static_pad(depay, "sink"));
  gst_pad_link(pad, depay_sink.get());
}

}  // namespace pw::test
