// Picture size of a video stream opened without avformat_find_stream_info (RTSP cameras, for a
// fast start): the codec parameters then say 0x0, which muxers refuse (MP4 recordings, live HLS).
// The size is read from a keyframe's parameter sets (in the packet or in the extradata).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace pw::media {

// Sets par->width/height from `key` when they are unset; leaves them unset when the packet does not
// tell. Cheap (a bitstream parse, no decode).
void FillPictureSizeFromKeyframe(AVCodecParameters* par, const AVPacket& key);

}  // namespace pw::media
