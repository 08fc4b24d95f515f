#include "live/transcoder.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>

extern "C" {
#include <libavutil/opt.h>
}

#include <spdlog/spdlog.h>

#include "media/av_log.h"

namespace pw::live {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<int> g_live{0};

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Encoder target: 0.08 bit per pixel per frame, clamped to 200..8000 kbps.
int BitrateKbps(int width, int height, double fps) {
  const double kbps = 0.08 * width * height * fps / 1000.0;
  return static_cast<int>(std::clamp(kbps, 200.0, 8000.0));
}

}  // namespace

nlohmann::json ToJson(const TranscodeStats& s) {
  return {{"running", s.running},
          {"source_codec", s.source_codec},
          {"packets_in", s.packets_in},
          {"packets_dropped", s.packets_dropped},
          {"skips", s.skips},
          {"frames_decoded", s.frames_decoded},
          {"frames_encoded", s.frames_encoded},
          {"frames_dropped", s.frames_dropped},
          {"decode_errors", s.decode_errors},
          {"encode_errors", s.encode_errors},
          {"keyframes", s.keyframes},
          {"fps", s.fps},
          {"cpu_percent", s.cpu_percent},
          {"cpu_ms_per_frame", s.cpu_ms_per_frame},
          {"width", s.width},
          {"height", s.height},
          {"bitrate_kbps", s.bitrate_kbps},
          {"last_error", s.last_error}};
}

struct Transcoder::Event {
  enum Kind { kOpen, kPacket, kClose } kind = kPacket;
  media::PacketPtr packet;     // kPacket
  bool resync = false;         // kPacket: follows dropped input
  media::CodecParamsPtr par;   // kOpen
  AVRational time_base{1, 90000};
  std::string reason;          // kClose
};

// The thread's codec state for one camera connection.
struct Transcoder::Work {
  media::CodecParamsPtr source_par;
  AVRational tb{1, 90000};
  media::CodecContextPtr dec;
  media::CodecContextPtr enc;
  media::CodecParamsPtr out_par;
  media::SwsPtr sws;
  media::FramePtr held;       // the first decoded frame, kept until the second gives the frame rate
  media::FramePtr converted;  // yuv420p copy for other pixel formats
  media::PacketPtr out_pkt = media::MakePacket();
  AVRational fps{25, 1};
  int64_t last_pts = AV_NOPTS_VALUE;
  bool encoder_failed = false;  // for this connection: not retried on every frame
  // Rate window.
  Clock::time_point window_start = Clock::now();
  double window_cpu_ms = ThreadCpuMs();
  std::uint64_t window_frames = 0;

  void Reset() {
    dec.reset();
    enc.reset();
    out_par.reset();
    sws.reset();
    held.reset();
    converted.reset();
    last_pts = AV_NOPTS_VALUE;
    encoder_failed = false;
  }
};

core::Status Transcoder::Available() {
  if (avcodec_find_encoder_by_name("libx264")) return core::Status::Ok();
  return core::Status::Unavailable(
      "this FFmpeg has no libx264 encoder, needed to re-encode the camera for browsers; install Debian's "
      "libavcodec (it includes libx264) or set the camera to H.264 without B-frames");
}

int Transcoder::live_count() { return g_live.load(); }

Transcoder::Transcoder(TranscodeOptions options) : options_(std::move(options)) {
  media::RouteFfmpegLogs();
  ++g_live;
  stats_.running = true;
  thread_ = std::thread([this] { Run(); });
}

Transcoder::~Transcoder() { Stop(); }

void Transcoder::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
    queued_packets_ = 0;
  }
  cv_.notify_all();
  thread_.join();
  --g_live;
  std::lock_guard lock(mu_);
  stats_.running = false;
  stats_.fps = stats_.cpu_percent = 0;
}

void Transcoder::AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber) {
  out_.Add(std::move(subscriber));
  force_key_ = true;  // the newcomer starts at the next frame
}

bool Transcoder::RemoveSubscriber(const PacketSubscriber* subscriber) { return out_.Remove(subscriber); }

TranscodeStats Transcoder::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Transcoder::Push(Event event) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    if (event.kind == Event::kPacket) ++queued_packets_;
    queue_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void Transcoder::OnOpen(const std::vector<StreamInfo>& streams) {
  Event e;
  e.kind = Event::kOpen;
  {
    std::lock_guard lock(mu_);
    video_index_ = -1;
    wait_for_key_ = true;
    for (const auto& s : streams) {
      if (s.type != AVMEDIA_TYPE_VIDEO || !s.codecpar) continue;
      video_index_ = s.index;
      e.time_base = s.time_base;
      e.par.reset(avcodec_parameters_alloc());
      if (e.par) avcodec_parameters_copy(e.par.get(), s.codecpar);
      break;
    }
  }
  Push(std::move(e));
}

void Transcoder::OnPacket(const StreamInfo& stream, const AVPacket& packet) {
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  Event e;
  {
    std::lock_guard lock(mu_);
    if (stop_ || stream.index != video_index_) return;
    ++stats_.packets_in;
    if (queued_packets_ >= options_.queue_packets) {  // behind: drop what is queued, skip to a keyframe
      const auto before = queue_.size();
      std::erase_if(queue_, [](const Event& q) { return q.kind == Event::kPacket; });
      stats_.packets_dropped += before - queue_.size();
      queued_packets_ = 0;
      ++stats_.skips;
      wait_for_key_ = true;
      resync_ = true;
      if (stats_.skips == 1 || stats_.skips % 100 == 0) {
        spdlog::warn("camera {}: the transcoder falls behind the camera; skipping to the next keyframe ({} times)",
                     options_.camera_id, stats_.skips);
      }
    }
    if (wait_for_key_ && !key) {
      ++stats_.packets_dropped;
      return;
    }
    wait_for_key_ = false;
    e.resync = std::exchange(resync_, false);
  }
  e.packet.reset(av_packet_clone(&packet));
  if (!e.packet) return;
  Push(std::move(e));
}

void Transcoder::OnClose(const std::string& reason) {
  Event e;
  e.kind = Event::kClose;
  e.reason = reason;
  {
    std::lock_guard lock(mu_);
    video_index_ = -1;
  }
  Push(std::move(e));
}

void Transcoder::Run() {
  pthread_setname_np(pthread_self(), ("pw-tx-" + options_.camera_id).substr(0, 15).c_str());
  Work w;
  for (;;) {
    Event e;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      e = std::move(queue_.front());
      queue_.pop_front();
      if (e.kind == Event::kPacket) --queued_packets_;
    }
    switch (e.kind) {
      case Event::kOpen: StartConnection(w, e); break;
      case Event::kPacket: Decode(w, e); break;
      case Event::kClose:
        Drain(w);
        EndConnection(w, e.reason);
        break;
    }
    UpdateRates(w);
  }
  EndConnection(w, "the transcoder stopped");
}

void Transcoder::Fail(const std::string& error) {
  spdlog::warn("camera {}: transcoder: {}", options_.camera_id, error);
  std::lock_guard lock(mu_);
  stats_.last_error = error;
}

void Transcoder::StartConnection(Work& w, Event& e) {
  EndConnection(w, "the camera reconnected");
  if (!e.par) return;  // no video in this connection
  w.source_par = std::move(e.par);
  w.tb = e.time_base;
  {
    std::lock_guard lock(mu_);
    stats_.source_codec = avcodec_get_name(w.source_par->codec_id);
  }
  const AVCodec* codec = avcodec_find_decoder(w.source_par->codec_id);
  if (!codec) return Fail(std::string("no decoder for ") + avcodec_get_name(w.source_par->codec_id));
  w.dec.reset(avcodec_alloc_context3(codec));
  if (!w.dec) return Fail("out of memory");
  avcodec_parameters_to_context(w.dec.get(), w.source_par.get());
  w.dec->pkt_timebase = w.tb;
  w.dec->thread_count = options_.decoder_threads;
  w.dec->thread_type = FF_THREAD_SLICE;  // frame threads would add latency
  // RTSP hands over a picture's slices as separate packets: let the decoder assemble them (else
  // each keyframe is decoded from its first slice and the rest concealed).
  w.dec->flags2 |= AV_CODEC_FLAG2_CHUNKS;
  if (int err = avcodec_open2(w.dec.get(), codec, nullptr); err < 0) {
    w.dec.reset();
    return Fail("cannot open the decoder: " + media::AvErrorText(err));
  }
}

void Transcoder::Decode(Work& w, Event& e) {
  if (!w.dec) return;
  if (e.resync) avcodec_flush_buffers(w.dec.get());
  if (int err = avcodec_send_packet(w.dec.get(), e.packet.get()); err < 0 && err != AVERROR(EAGAIN)) {
    std::lock_guard lock(mu_);
    ++stats_.decode_errors;
  }
  ReceiveFrames(w);
}

void Transcoder::Drain(Work& w) {
  if (!w.dec) return;
  avcodec_send_packet(w.dec.get(), nullptr);  // the frames the decoder still holds (reordering delay)
  ReceiveFrames(w);
  if (!w.enc && w.held) {  // a connection of one frame
    media::FramePtr first = std::move(w.held);
    if (OpenEncoder(w, *first)) Encode(w, first.get());
  }
  if (w.enc && avcodec_send_frame(w.enc.get(), nullptr) == 0) SendPackets(w);
}

void Transcoder::ReceiveFrames(Work& w) {
  media::FramePtr frame = media::MakeFrame();
  if (!frame) return;
  for (;;) {
    int err = avcodec_receive_frame(w.dec.get(), frame.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err < 0) {
      std::lock_guard lock(mu_);
      ++stats_.decode_errors;
      break;
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.frames_decoded;
    }
    OnFrame(w, std::move(frame));
    frame = media::MakeFrame();
    if (!frame) return;
  }
}

void Transcoder::OnFrame(Work& w, media::FramePtr frame) {
  frame->pts = frame->best_effort_timestamp;
  if (w.enc && (frame->width != w.enc->width || frame->height != w.enc->height)) {
    EndConnection(w, "the camera's picture size changed", /*keep_decoder=*/true);
  }
  if (w.encoder_failed) return;
  if (!w.enc) {
    if (!w.held) {  // the frame rate needs a second frame
      w.held = std::move(frame);
      return;
    }
    if (frame->pts != AV_NOPTS_VALUE && w.held->pts != AV_NOPTS_VALUE && frame->pts > w.held->pts) {
      const double interval = static_cast<double>(frame->pts - w.held->pts) * av_q2d(w.tb);
      if (interval > 0 && interval <= 1.0) w.fps = av_d2q(std::clamp(1.0 / interval, 1.0, 120.0), 1001);
    }
    media::FramePtr first = std::move(w.held);
    if (!OpenEncoder(w, *first)) {
      w.encoder_failed = true;
      return;
    }
    Encode(w, first.get());
  }
  Encode(w, frame.get());
}

bool Transcoder::OpenEncoder(Work& w, const AVFrame& first) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) {
    Fail(Available().message());
    return false;
  }
  media::CodecContextPtr enc(avcodec_alloc_context3(codec));
  if (!enc) return false;
  const double fps = av_q2d(w.fps);
  const int kbps = options_.bitrate_kbps > 0 ? options_.bitrate_kbps : BitrateKbps(first.width, first.height, fps);
  enc->width = first.width;
  enc->height = first.height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->sample_aspect_ratio = first.sample_aspect_ratio;
  enc->color_range = first.format == AV_PIX_FMT_YUVJ420P ? AVCOL_RANGE_JPEG : first.color_range;
  enc->colorspace = first.colorspace;
  enc->color_primaries = first.color_primaries;
  enc->color_trc = first.color_trc;
  enc->time_base = w.tb;
  enc->framerate = w.fps;
  enc->gop_size = std::max(1, static_cast<int>(std::lround(fps * options_.gop_seconds)));
  enc->keyint_min = enc->gop_size;
  enc->max_b_frames = 0;
  enc->profile = FF_PROFILE_H264_CONSTRAINED_BASELINE;  // what x264's "baseline" is (the option below)
  enc->bit_rate = int64_t{kbps} * 1000;
  enc->rc_max_rate = enc->bit_rate * 3 / 2;
  enc->rc_buffer_size = static_cast<int>(enc->bit_rate);  // one second of VBV
  enc->thread_count = options_.encoder_threads;
  enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // SPS/PPS in extradata for the subscribers' OnOpen ...
  media::Dict opts;
  opts.Set("preset", options_.preset.c_str());
  opts.Set("tune", "zerolatency");
  opts.Set("profile", "baseline");
  opts.Set("forced-idr", "1");
  opts.Set("x264-params", "repeat-headers=1");  // ... and in-band before every keyframe
  if (int err = avcodec_open2(enc.get(), codec, opts.ptr()); err < 0) {
    Fail("cannot open the H.264 encoder: " + media::AvErrorText(err));
    return false;
  }
  w.out_par.reset(avcodec_parameters_alloc());
  if (!w.out_par || avcodec_parameters_from_context(w.out_par.get(), enc.get()) < 0) return false;
  if (first.format != AV_PIX_FMT_YUV420P && first.format != AV_PIX_FMT_YUVJ420P) {
    w.sws.reset(sws_getContext(first.width, first.height, static_cast<AVPixelFormat>(first.format), first.width,
                               first.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    w.converted = media::MakeFrame();
    if (!w.sws || !w.converted) return false;
    w.converted->format = AV_PIX_FMT_YUV420P;
    w.converted->width = first.width;
    w.converted->height = first.height;
    if (av_frame_get_buffer(w.converted.get(), 0) < 0) return false;
  }
  w.enc = std::move(enc);
  {
    std::lock_guard lock(mu_);
    stats_.width = first.width;
    stats_.height = first.height;
    stats_.bitrate_kbps = kbps;
    stats_.last_error.clear();
  }
  spdlog::info("camera {}: transcoding {} {}x{} at {:.2f} fps to H.264 baseline {} kbps", options_.camera_id,
               avcodec_get_name(w.source_par->codec_id), first.width, first.height, fps, kbps);
  out_.Open({StreamInfo{0, AVMEDIA_TYPE_VIDEO, w.enc->time_base, w.out_par.get()}});
  return true;
}

void Transcoder::Encode(Work& w, AVFrame* frame) {
  if (frame->pts == AV_NOPTS_VALUE && w.last_pts != AV_NOPTS_VALUE) {
    frame->pts = w.last_pts + std::max<int64_t>(1, av_rescale_q(1, av_inv_q(w.fps), w.tb));
  }
  if (frame->pts == AV_NOPTS_VALUE) frame->pts = 0;
  if (w.last_pts != AV_NOPTS_VALUE && frame->pts <= w.last_pts) {  // x264 needs increasing pts
    std::lock_guard lock(mu_);
    ++stats_.frames_dropped;
    return;
  }
  w.last_pts = frame->pts;
  AVFrame* in = frame;
  if (w.sws) {
    if (av_frame_make_writable(w.converted.get()) < 0) return;
    sws_scale(w.sws.get(), frame->data, frame->linesize, 0, frame->height, w.converted->data, w.converted->linesize);
    w.converted->pts = frame->pts;
    in = w.converted.get();
  } else if (frame->format == AV_PIX_FMT_YUVJ420P) {
    frame->format = AV_PIX_FMT_YUV420P;  // same layout; the range travels in color_range
    frame->color_range = AVCOL_RANGE_JPEG;
  }
  in->pict_type = force_key_.exchange(false) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (avcodec_send_frame(w.enc.get(), in) < 0) {
    std::lock_guard lock(mu_);
    ++stats_.encode_errors;
    return;
  }
  SendPackets(w);
}

void Transcoder::SendPackets(Work& w) {
  while (avcodec_receive_packet(w.enc.get(), w.out_pkt.get()) == 0) {
    const bool key = (w.out_pkt->flags & AV_PKT_FLAG_KEY) != 0;
    {
      std::lock_guard lock(mu_);
      ++stats_.frames_encoded;
      if (key) ++stats_.keyframes;
    }
    ++w.window_frames;
    out_.Packet(StreamInfo{0, AVMEDIA_TYPE_VIDEO, w.enc->time_base, w.out_par.get()}, *w.out_pkt);
    av_packet_unref(w.out_pkt.get());
  }
}

void Transcoder::EndConnection(Work& w, const std::string& reason, bool keep_decoder) {
  out_.Close(reason);
  if (!keep_decoder) {
    w.Reset();
    return;
  }
  w.enc.reset();
  w.out_par.reset();
  w.sws.reset();
  w.converted.reset();
  w.last_pts = AV_NOPTS_VALUE;
}

void Transcoder::UpdateRates(Work& w) {
  const auto now = Clock::now();
  const double s = std::chrono::duration<double>(now - w.window_start).count();
  if (s < 1.0) return;
  const double cpu = ThreadCpuMs();
  std::lock_guard lock(mu_);
  stats_.fps = static_cast<double>(w.window_frames) / s;
  stats_.cpu_percent = (cpu - w.window_cpu_ms) / (s * 10.0);
  stats_.cpu_ms_per_frame = w.window_frames ? (cpu - w.window_cpu_ms) / static_cast<double>(w.window_frames) : 0;
  w.window_start = now;
  w.window_cpu_ms = cpu;
  w.window_frames = 0;
}

}  // namespace pw::live
