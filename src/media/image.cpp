#include "media/image.h"

#include <algorithm>

namespace pw::media {

using core::Status;

namespace {

struct Scaled {
  SwsPtr sws;
  int width = 0;
  int height = 0;
};

// A scaler from the frame to `format` at `width` (0: same size; height keeps the aspect ratio,
// rounded to an even number).
core::Result<Scaled> MakeScaler(const AVFrame& frame, int width, AVPixelFormat format) {
  if (frame.width <= 0 || frame.height <= 0) return Status::InvalidArgument("empty frame");
  if (width < 0 || width > 16384) return Status::InvalidArgument("width must be 0..16384");
  Scaled s;
  s.width = width > 0 ? width : frame.width;
  s.height = width > 0 ? std::max(2, static_cast<int>(static_cast<int64_t>(frame.height) *
                                                      s.width / frame.width / 2 * 2))
                       : frame.height;
  int flags = s.width < frame.width ? SWS_AREA : SWS_BILINEAR;
  s.sws.reset(sws_getContext(frame.width, frame.height, static_cast<AVPixelFormat>(frame.format),
                             s.width, s.height, format, flags, nullptr, nullptr, nullptr));
  if (!s.sws) {
    return Status::Unprocessable(std::string("cannot convert pixel format ") +
                                 av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format)));
  }
  return s;
}

// One compressor per thread, created on first use and destroyed with the thread.
tjhandle Compressor() {
  thread_local TjHandlePtr handle(tjInitCompress());
  return handle.get();
}

// Copies and frees a buffer libturbojpeg allocated.
std::string TakeJpeg(unsigned char* jpeg, unsigned long size) {  // NOLINT(runtime/int)
  std::unique_ptr<unsigned char, decltype(&tjFree)> owned(jpeg, &tjFree);
  return jpeg ? std::string(reinterpret_cast<const char*>(jpeg), size) : std::string();
}

}  // namespace

core::Result<cv::Mat> ToBgr(const AVFrame& frame, int width) {
  auto scaled = MakeScaler(frame, width, AV_PIX_FMT_BGR24);
  if (!scaled.ok()) return scaled.status();
  cv::Mat out(scaled->height, scaled->width, CV_8UC3);
  uint8_t* dst[1] = {out.data};
  int dst_stride[1] = {static_cast<int>(out.step[0])};
  sws_scale(scaled->sws.get(), frame.data, frame.linesize, 0, frame.height, dst, dst_stride);
  return out;
}

core::Result<std::string> EncodeJpeg(const cv::Mat& image, int quality) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1)) {
    return Status::InvalidArgument("JPEG needs an 8-bit BGR or grey image");
  }
  if (quality < 1 || quality > 100) return Status::InvalidArgument("JPEG quality must be 1..100");
  tjhandle tj = Compressor();
  if (!tj) return Status::Internal("cannot start the JPEG compressor");
  const bool grey = image.channels() == 1;
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;  // NOLINT(runtime/int): libturbojpeg's type
  int rc = tjCompress2(tj, image.data, image.cols, static_cast<int>(image.step[0]), image.rows,
                       grey ? TJPF_GRAY : TJPF_BGR, &jpeg, &size, grey ? TJSAMP_GRAY : TJSAMP_420,
                       quality, TJFLAG_FASTDCT);
  std::string out = TakeJpeg(jpeg, size);
  if (rc != 0) return Status::Internal(std::string("JPEG encoding failed: ") + tjGetErrorStr2(tj));
  return out;
}

core::Result<std::string> EncodeJpeg(const AVFrame& frame, int width, int quality) {
  if (quality < 1 || quality > 100) return Status::InvalidArgument("JPEG quality must be 1..100");
  // Full-range 4:2:0 is what JPEG (JFIF) stores; sws does range conversion and scaling in one go.
  auto scaled = MakeScaler(frame, width, AV_PIX_FMT_YUVJ420P);
  if (!scaled.ok()) return scaled.status();
  FramePtr yuv = MakeFrame();
  if (!yuv) return Status::Internal("out of memory");
  yuv->format = AV_PIX_FMT_YUVJ420P;
  yuv->width = scaled->width;
  yuv->height = scaled->height;
  if (av_frame_get_buffer(yuv.get(), 0) < 0) return Status::Internal("out of memory");
  sws_scale(scaled->sws.get(), frame.data, frame.linesize, 0, frame.height, yuv->data,
            yuv->linesize);
  tjhandle tj = Compressor();
  if (!tj) return Status::Internal("cannot start the JPEG compressor");
  const unsigned char* planes[3] = {yuv->data[0], yuv->data[1], yuv->data[2]};
  int strides[3] = {yuv->linesize[0], yuv->linesize[1], yuv->linesize[2]};
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;  // NOLINT(runtime/int): libturbojpeg's type
  int rc = tjCompressFromYUVPlanes(tj, planes, yuv->width, strides, yuv->height, TJSAMP_420,
                                   &jpeg, &size, quality, TJFLAG_FASTDCT);
  std::string out = TakeJpeg(jpeg, size);
  if (rc != 0) return Status::Internal(std::string("JPEG encoding failed: ") + tjGetErrorStr2(tj));
  return out;
}

}  // namespace pw::media
