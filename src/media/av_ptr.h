// RAII owners for the FFmpeg (libav*) and libturbojpeg objects the media module uses.
//
// Each alias is a std::unique_ptr whose deleter calls the matching free function, so no raw
// av_*_free call appears anywhere else. Helpers allocate and report allocation failure as null.
// Thread-safety: none of these objects may be used from two threads at once; they may be moved
// between threads.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}
#include <turbojpeg.h>

#include <memory>
#include <string>

namespace pw::media {

// AVFormatContext opened for reading (avformat_open_input).
struct InputFormatDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;

// AVFormatContext allocated for writing; the deleter frees the context, not its custom pb
// (whoever made the AVIOContext owns it, see memory_io.h).
struct OutputFormatDeleter {
  void operator()(AVFormatContext* c) const { avformat_free_context(c); }
};
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;

struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;

struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

struct CodecParamsDeleter {
  void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
using CodecParamsPtr = std::unique_ptr<AVCodecParameters, CodecParamsDeleter>;

// An AVDictionary of options; `Take()` hands the raw pointer to calls that consume/replace it.
class Dict {
 public:
  void Set(const char* key, const char* value) { av_dict_set(&d_, key, value, 0); }
  AVDictionary** ptr() { return &d_; }
  ~Dict() { av_dict_free(&d_); }
  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;

 private:
  AVDictionary* d_ = nullptr;
};

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};
using TjHandlePtr = std::unique_ptr<void, TjDeleter>;

inline PacketPtr MakePacket() { return PacketPtr(av_packet_alloc()); }
inline FramePtr MakeFrame() { return FramePtr(av_frame_alloc()); }

// Text of an AVERROR code ("Invalid data found when processing input").
inline std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

}  // namespace pw::media
