// PacketSubscriber: how other consumers (WebRTC, live HLS, recorder — part 2) receive a camera's
// compressed packets exactly as they come from the camera, without a decode or a copy.
//
// Calls come from the camera's ingest thread, in this order per connection:
// OnOpen(streams) once, OnPacket(...) for every packet of every stream, OnClose(reason) once
// (the camera was lost or stopped; OnOpen follows on reconnect, with timestamps restarting).
// A subscriber added mid-connection gets OnOpen before its first packet, which may fall inside a
// GOP: forwarders start at the next keyframe (AV_PKT_FLAG_KEY).
// They must return quickly (microseconds): a subscriber that needs to keep a packet takes its own
// reference (av_packet_ref / av_packet_clone) and hands it to its own thread with a bounded queue.
// A subscriber must not call back into the ingest (AddSubscriber/RemoveSubscriber) from a callback.
#pragma once

#include <string>
#include <vector>

#include "media/av_ptr.h"

namespace pw::live {

struct StreamInfo {
  int index = 0;
  AVMediaType type = AVMEDIA_TYPE_UNKNOWN;
  AVRational time_base{1, 90000};
  const AVCodecParameters* codecpar = nullptr;  // valid until OnClose
};

class PacketSubscriber {
 public:
  virtual ~PacketSubscriber() = default;
  virtual void OnOpen(const std::vector<StreamInfo>& streams) = 0;
  virtual void OnPacket(const StreamInfo& stream, const AVPacket& packet) = 0;
  virtual void OnClose(const std::string& reason) = 0;
};

}  // namespace pw::live
