#include "webrtc/sdp_util.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pw::webrtc {

namespace {

bool IsH264(const GstSDPMedia& media, const char* fmt) {
  const std::string prefix = std::string(fmt) + " ";
  for (guint i = 0; i < gst_sdp_media_attributes_len(&media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(&media, i);
    if (!a->key || !a->value || std::strcmp(a->key, "rtpmap") != 0) continue;
    std::string_view v(a->value);
    if (v.substr(0, prefix.size()) != prefix) continue;
    std::string_view codec = v.substr(prefix.size(), 5);
    return codec.size() == 5 && g_ascii_strncasecmp(codec.data(), "H264/", 5) == 0;
  }
  return false;
}

bool PacketizationMode1(const GstSDPMedia& media, const char* fmt) {
  const std::string prefix = std::string(fmt) + " ";
  for (guint i = 0; i < gst_sdp_media_attributes_len(&media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(&media, i);
    if (!a->key || !a->value || std::strcmp(a->key, "fmtp") != 0) continue;
    std::string_view v(a->value);
    if (v.substr(0, prefix.size()) == prefix && v.find("packetization-mode=1") != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

H264Choice ChooseH264(const GstSDPMessage& sdp) {
  H264Choice choice;
  for (guint m = 0; m < gst_sdp_message_medias_len(&sdp); ++m) {
    const GstSDPMedia* media = gst_sdp_message_get_media(&sdp, m);
    if (!media->media || std::strcmp(media->media, "video") != 0 || media->port == 0) continue;
    for (guint f = 0; f < gst_sdp_media_formats_len(media); ++f) {
      const char* fmt = gst_sdp_media_get_format(media, f);
      if (!IsH264(*media, fmt)) continue;
      const bool mode1 = PacketizationMode1(*media, fmt);
      if (choice.payload_type < 0 || mode1) {
        choice.payload_type = std::atoi(fmt);
        choice.mline = m;
      }
      if (mode1) return choice;
    }
    if (choice.payload_type >= 0) return choice;
  }
  return choice;
}

core::Result<SdpMessagePtr> ParseWhepOffer(const std::string& text) {
  GstSDPMessage* raw = nullptr;
  if (gst_sdp_message_new_from_text(text.c_str(), &raw) != GST_SDP_OK || !raw) {
    return core::Status::InvalidArgument("the body is not an SDP offer (Content-Type application/sdp)");
  }
  SdpMessagePtr msg(raw);
  if (gst_sdp_message_medias_len(msg.get()) == 0 || text.find("v=0") == std::string::npos) {
    return core::Status::InvalidArgument("the SDP offer has no media sections; offer a receive-only video transceiver");
  }
  if (ChooseH264(*msg).payload_type < 0) {
    return core::Status::InvalidArgument(
        "the SDP offer has no H.264 video; the camera is forwarded as H.264, so the viewer must offer it");
  }
  return msg;
}

}  // namespace pw::webrtc
