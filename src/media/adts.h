// ADTS (the framing of AAC in MPEG-TS): header parsing and the AudioSpecificConfig an MP4
// needs in place of it (what FFmpeg's aac_adtstoasc filter does, for the single-frame packets
// FFmpeg's demuxers produce). Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pw::media {

struct AdtsHeader {
  int header_size = 0;       // 7, or 9 with CRC
  int object_type = 0;       // AAC audio object type (profile + 1)
  int sample_rate_index = 0;
  int channel_config = 0;
};

// False when `data` does not start with an ADTS header.
inline bool ParseAdts(const uint8_t* data, size_t size, AdtsHeader* h) {
  if (size < 7 || data[0] != 0xFF || (data[1] & 0xF6) != 0xF0) return false;
  h->header_size = (data[1] & 1) ? 7 : 9;
  h->object_type = ((data[2] >> 6) & 3) + 1;
  h->sample_rate_index = (data[2] >> 2) & 0xF;
  h->channel_config = ((data[2] & 1) << 2) | (data[3] >> 6);
  return size >= static_cast<size_t>(h->header_size);
}

// The 2-byte AudioSpecificConfig (object type, sampling index, channels).
inline std::string AudioSpecificConfig(const AdtsHeader& h) {
  std::string asc(2, '\0');
  asc[0] = static_cast<char>((h.object_type << 3) | (h.sample_rate_index >> 1));
  asc[1] = static_cast<char>(((h.sample_rate_index & 1) << 7) | (h.channel_config << 3));
  return asc;
}

}  // namespace pw::media
