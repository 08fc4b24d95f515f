// SDP helpers for WHEP: checks that an offer can be answered with our H.264 video, and finds the
// payload type the answer settled on (webrtcbin keeps the offerer's number; the payloader must use it).
// Pure functions; thread-safe.
#pragma once

#include <gst/sdp/sdp.h>

#include <string>

#include "core/status.h"
#include "webrtc/gst_ptr.h"

namespace pw::webrtc {

// Parses SDP text. kInvalidArgument (with what is wrong) for text that is not an SDP offer with a
// video section offering H.264 that we may send (not inactive or send-only from the viewer).
core::Result<SdpMessagePtr> ParseWhepOffer(const std::string& text);

struct H264Choice {
  int payload_type = -1;  // -1: none
  unsigned mline = 0;     // index of the video m-line
};
// The H.264 payload type of the first video section of `sdp`, preferring packetization-mode=1
// (what rtph264pay sends). payload_type -1 when there is none.
H264Choice ChooseH264(const GstSDPMessage& sdp);

}  // namespace pw::webrtc
