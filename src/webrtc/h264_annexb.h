// H264AnnexB: turns a camera's H.264 packets (Annex B from RTSP, or length-prefixed "avcC" from
// MP4/Matroska) into self-contained Annex B access units, with SPS/PPS in front of every keyframe
// that lacks them, so that a viewer can start decoding at any keyframe.
//
// Errors: Init() returns kUnprocessable for a codec other than H.264 or broken avcC extradata.
// Thread-safety: one thread at a time (the camera's ingest thread).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "media/av_ptr.h"

namespace pw::webrtc {

class H264AnnexB {
 public:
  core::Status Init(const AVCodecParameters& codecpar);
  // The access unit of `packet` in Annex B form; an empty string for a malformed packet.
  std::string Convert(const AVPacket& packet) const;
  // Annex B SPS/PPS from the stream's extradata ("" when it carried none).
  const std::string& parameter_sets() const { return parameter_sets_; }
  bool length_prefixed() const { return length_size_ > 0; }

 private:
  std::string parameter_sets_;
  int length_size_ = 0;  // 1..4 for avcC packets, 0 for Annex B packets
};

// NAL unit types (low 5 bits of each NAL header) present in an Annex B buffer, as a bit set.
std::uint32_t AnnexBNalTypes(const std::uint8_t* data, std::size_t size);

}  // namespace pw::webrtc
