// WhepSession: one WebRTC viewer of one camera — its own pipeline
//   appsrc (Annex B access units from the camera's CameraForwarder) → rtph264pay → webrtcbin
// with a send-only H.264 transceiver (max-bundle) and the data channel the viewer opened in its
// offer (metadata goes out on it; whatever the viewer sends on it counts as a heartbeat).
//
// Negotiate() answers a WHEP offer: remote description, answer, local description, payloader
// payload type taken from the answer, media started, ICE gathering completed (no trickle). It
// blocks up to `negotiate_timeout`: call it off the network threads.
// Liveness: Problem() says why the session should end — ICE/peer connection failed or closed,
// the data channel closed, no message from a viewer that pinged for `heartbeat_timeout`, never
// connected within `connect_timeout`, no RTCP from the viewer for `rtcp_timeout` (browsers send
// receiver reports every second; a killed one stops), or a pipeline error — and is polled by WhepServer.
// Thread-safety: PushAccessUnit (ingest thread), SendText, Problem, counters from any thread;
// Negotiate once; Close() is idempotent, joins GStreamer's threads (never call it from a
// GStreamer callback of this session). The destructor closes.
#pragma once

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "webrtc/camera_forwarder.h"
#include "webrtc/gst_ptr.h"
#include "webrtc/ice_release.h"

namespace pw::webrtc {

struct SessionOptions {
  std::vector<std::string> ice_addresses;  // local addresses ICE may use (added to the agent)
  std::chrono::milliseconds negotiate_timeout{5000};
  std::chrono::milliseconds heartbeat_timeout{5000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds rtcp_timeout{8000};  // no RTCP from the viewer this long: it vanished
  std::uint64_t queue_bytes = 4 << 20;  // appsrc bound; overflow drops the oldest access units
};

class WhepSession final : public AccessUnitSink {
 public:
  WhepSession(std::string id, std::string camera_id, SessionOptions options);
  ~WhepSession() override;
  WhepSession(const WhepSession&) = delete;
  WhepSession& operator=(const WhepSession&) = delete;

  // The answer SDP (with candidates). kInvalidArgument: the offer is not SDP or offers no H.264
  // video; kTimedOut/kInternal: webrtcbin did not answer.
  core::Result<std::string> Negotiate(const std::string& offer_sdp);

  void PushAccessUnit(GstBuffer* au, bool keyframe, std::uint64_t epoch) override;
  // Sends a text message on the data channel; false when none is open.
  bool SendText(const std::string& text);
  // Once the data channel is open, sends {"type":"whep","session","camera"} once, so that a
  // viewer knows its session and sees the channel work before the first count arrives.
  void Greet();
  // Why this session should end now ("" while it is healthy).
  std::string Problem(std::chrono::steady_clock::time_point now);
  void Close();
  // After Close(): the session's ICE agent, to be released once its webrtcbin is gone (see
  // ice_release.h); null before Build() or when taken already.
  std::unique_ptr<ParkedIce> TakeIce();

  const std::string& id() const { return id_; }
  const std::string& camera_id() const { return camera_id_; }
  bool connected() const { return connected_; }
  bool has_data_channel() const;
  std::uint64_t frames_sent() const { return frames_sent_; }
  int payload_type() const { return payload_type_; }

 private:
  core::Status Build();
  core::Status StartMedia(int payload_type, unsigned mline);
  core::Result<GstStructure*> Await(const char* signal, GstWebRTCSessionDescription* desc,
                                    PromisePtr& promise);
  void End(std::string reason);
  static void OnDataChannel(GstElement*, GObject* channel, gpointer self);
  static void OnMessage(GObject*, gchar* text, gpointer self);
  static void OnChannelClose(GObject*, gpointer self);
  static void OnIceState(GObject*, GParamSpec*, gpointer self);
  static void OnGatherState(GObject*, GParamSpec*, gpointer self);
  static GstPadProbeReturn OnRtcp(GstPad*, GstPadProbeInfo*, gpointer self);
  void WatchRtcp();  // probes on rtpbin's RTCP inputs (after the descriptions are set)

  const std::string id_;
  const std::string camera_id_;
  const SessionOptions options_;

  GstPtr<GstElement> pipeline_;
  GstElement* webrtc_ = nullptr;  // owned by pipeline_
  GstPtr<GstWebRTCRTPTransceiver> transceiver_;

  mutable std::mutex mu_;  // appsrc_, channel_, end_reason_, timing, gathering
  std::condition_variable cv_;
  GstPtr<GstElement> appsrc_;  // null until media starts and after Close
  GstPtr<GObject> channel_;
  bool gathered_ = false;
  bool closed_ = false;
  std::string end_reason_;
  std::uint64_t epoch_ = 0;
  bool waiting_key_ = true;
  GstClockTime base_src_ = 0, base_run_ = 0, last_src_ = 0;
  std::chrono::steady_clock::time_point answered_at_{};
  std::chrono::steady_clock::time_point last_message_{};
  bool pinged_ = false;
  std::atomic<bool> greeted_{false};
  std::chrono::steady_clock::time_point last_rtcp_{};  // zero until the first RTCP packet
  GstPtr<GstElement> rtpbin_;  // webrtcbin's, for the RTCP watchdog
  std::unique_ptr<ParkedIce> ice_;  // webrtcbin's ICE agent (see TakeIce)
  std::vector<std::pair<GstPtr<GstPad>, gulong>> rtcp_probes_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<int> payload_type_{-1};
};

}  // namespace pw::webrtc
