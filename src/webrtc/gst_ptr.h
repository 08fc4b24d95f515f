// RAII owners for the GStreamer/GLib objects the webrtc module holds, so that no raw
// gst_object_unref / gst_caps_unref / g_free call appears elsewhere.
//
// GstPtr<T> owns one reference of a GstObject (element, pad, bus, webrtcbin's ICE agent, data
// channel ...); Adopt() takes a reference the caller already owns (a "transfer full" return value),
// Ref() adds one. The other aliases wrap the matching free function.
// Thread-safety: references may be dropped from any thread; the objects have their own rules.
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include <memory>
#include <string>

namespace pw::webrtc {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);  // gst_object_unref is g_object_unref for GstObjects
  }
};
template <typename T>
using GstPtr = std::unique_ptr<T, GObjectUnref>;

template <typename T>
GstPtr<T> Adopt(T* p) { return GstPtr<T>(p); }
// Takes a newly created (floating) GstObject such as gst_pipeline_new()'s result.
template <typename T>
GstPtr<T> Sink(T* p) { return GstPtr<T>(p ? static_cast<T*>(gst_object_ref_sink(p)) : nullptr); }
template <typename T>
GstPtr<T> Ref(T* p) { return GstPtr<T>(p ? static_cast<T*>(g_object_ref(p)) : nullptr); }

struct CapsUnref {
  void operator()(GstCaps* c) const { gst_caps_unref(c); }
};
using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;

struct BufferUnref {
  void operator()(GstBuffer* b) const { gst_buffer_unref(b); }
};
using BufferPtr = std::unique_ptr<GstBuffer, BufferUnref>;

struct PromiseUnref {
  void operator()(GstPromise* p) const { gst_promise_unref(p); }
};
using PromisePtr = std::unique_ptr<GstPromise, PromiseUnref>;

struct SdpMessageFree {
  void operator()(GstSDPMessage* m) const { gst_sdp_message_free(m); }
};
using SdpMessagePtr = std::unique_ptr<GstSDPMessage, SdpMessageFree>;

struct SessionDescriptionFree {
  void operator()(GstWebRTCSessionDescription* d) const { gst_webrtc_session_description_free(d); }
};
using SessionDescriptionPtr = std::unique_ptr<GstWebRTCSessionDescription, SessionDescriptionFree>;

struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

struct MainContextUnref {
  void operator()(GMainContext* c) const { g_main_context_unref(c); }
};
using MainContextPtr = std::unique_ptr<GMainContext, MainContextUnref>;

struct MainLoopUnref {
  void operator()(GMainLoop* l) const { g_main_loop_unref(l); }
};
using MainLoopPtr = std::unique_ptr<GMainLoop, MainLoopUnref>;

struct SourceDestroy {  // detaches (if attached) and drops our reference
  void operator()(GSource* s) const {
    g_source_destroy(s);
    g_source_unref(s);
  }
};
using SourcePtr = std::unique_ptr<GSource, SourceDestroy>;

// Calls fn(item) for every object of a GstIterator (elements of a bin, pads of an element), then
// frees the iterator. A resync (the set changed meanwhile) ends the walk early.
template <typename T, typename F>
void ForEach(GstIterator* it, F fn) {
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    fn(static_cast<T*>(g_value_get_object(&item)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

// The SDP text of a description ("" when null).
inline std::string SdpText(const GstWebRTCSessionDescription* d) {
  if (!d || !d->sdp) return {};
  GCharPtr text(gst_sdp_message_as_text(d->sdp));
  return text ? std::string(text.get()) : std::string();
}

}  // namespace pw::webrtc
