// ParkedIce: releases the ICE agent of a closed WHEP session, working around a reference leak in
// GStreamer 1.22.0's libgstwebrtcnice (Debian 12). Its transport asks the ICE stream for its
// "ice" property into a GWeakRef — the getter hands out a strong reference — and then takes a
// second one with g_weak_ref_get, releasing only one: the agent (GstWebRTCNice) ends every session
// with references nobody owns, so it is never finalised and keeps its sockets, its GMainContext
// and its thread. The soak showed it as ~9 file descriptors and a thread per WebRTC viewer that
// came and went (100 → 290 fds in 4 minutes).
//
// The session keeps its own reference to the agent and a weak reference to its webrtcbin. Once
// the webrtcbin has been finalised, nothing legitimate owns the agent any more (the ICE streams
// hold it weakly), so TryRelease() drops the surplus references and its own; the agent, its
// sockets and thread go. With a GStreamer that does not leak there is no surplus and nothing
// extra is released. The server waits a few seconds after a session closes before calling it, so
// that callbacks still queued on the agent's own thread have run.
// Thread-safety: one owner; TryRelease from any thread.
#pragma once

#include <gst/gst.h>

#include "webrtc/gst_ptr.h"

namespace pw::webrtc {

class ParkedIce {
 public:
  ParkedIce(GstPtr<GObject> ice, GstElement* webrtcbin);
  ~ParkedIce();  // drops only its own reference (if TryRelease did not run)
  ParkedIce(const ParkedIce&) = delete;
  ParkedIce& operator=(const ParkedIce&) = delete;

  // false while the webrtcbin is still alive; true once the agent has been released (then
  // `surplus` tells how many leaked references were dropped besides its own).
  bool TryRelease(unsigned* surplus = nullptr);

 private:
  GstPtr<GObject> ice_;
  GWeakRef webrtcbin_;
};

}  // namespace pw::webrtc
