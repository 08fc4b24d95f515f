#include "webrtc/ice_release.h"

#include <spdlog/spdlog.h>

namespace pw::webrtc {

namespace {
constexpr unsigned kMostPlausibleSurplus = 8;  // more than this is not the known leak: left alone
}  // namespace

ParkedIce::ParkedIce(GstPtr<GObject> ice, GstElement* webrtcbin) : ice_(std::move(ice)) {
  g_weak_ref_init(&webrtcbin_, webrtcbin);
}

ParkedIce::~ParkedIce() { g_weak_ref_clear(&webrtcbin_); }

bool ParkedIce::TryRelease(unsigned* surplus) {
  if (surplus) *surplus = 0;
  if (!ice_) return true;
  if (gpointer bin = g_weak_ref_get(&webrtcbin_)) {
    g_object_unref(bin);
    return false;
  }
  GObject* ice = ice_.release();
  const unsigned refs = g_atomic_int_get(reinterpret_cast<volatile gint*>(&ice->ref_count));
  const unsigned extra = refs > 1 ? refs - 1 : 0;
  if (extra > kMostPlausibleSurplus) {
    spdlog::warn("webrtc: a closed session's ICE agent still has {} references; left as it is", extra);
  } else {
    for (unsigned i = 0; i < extra; ++i) g_object_unref(ice);
    if (surplus) *surplus = extra;
  }
  g_object_unref(ice);
  return true;
}

}  // namespace pw::webrtc
