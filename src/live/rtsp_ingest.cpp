#include "live/rtsp_ingest.h"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <algorithm>
#include <mutex>

#include "core/log.h"
#include "live/backoff.h"
#include "media/av_log.h"
#include "media/frame_decoder.h"

namespace pw::live {

using Clock = std::chrono::steady_clock;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double Seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

std::string Fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Rates over windows of about one second.
class RateWindow {
 public:
  void Add(std::uint64_t frames, std::uint64_t bytes) {
    frames_ += frames;
    bytes_ += bytes;
  }
  // True when a window closed; fps/kbps then hold its rates.
  bool Roll(Clock::time_point now, double* fps, double* kbps) {
    double s = std::chrono::duration<double>(now - start_).count();
    if (s < 1.0) return false;
    *fps = static_cast<double>(frames_) / s;
    *kbps = static_cast<double>(bytes_) * 8 / 1000 / s;
    frames_ = bytes_ = 0;
    start_ = now;
    return true;
  }
  void Restart(Clock::time_point now) {
    frames_ = bytes_ = 0;
    start_ = now;
  }

 private:
  Clock::time_point start_ = Clock::now();
  std::uint64_t frames_ = 0, bytes_ = 0;
};

}  // namespace

std::string_view IngestStateName(IngestState s) {
  switch (s) {
    case IngestState::kStopped: return "stopped";
    case IngestState::kConnecting: return "connecting";
    case IngestState::kStreaming: return "streaming";
    case IngestState::kStalled: return "stalled";
    case IngestState::kBackoff: return "backoff";
  }
  return "unknown";
}

nlohmann::json ToJson(const IngestStats& s) {
  return {{"state", IngestStateName(s.state)},
          {"state_for_s", s.state_for_s},
          {"connects", s.connects},
          {"reconnects", s.reconnects},
          {"stalls", s.stalls},
          {"frames", s.frames},
          {"packets", s.packets},
          {"bytes", s.bytes},
          {"last_error", s.last_error},
          {"fps", s.fps},
          {"bitrate_kbps", s.bitrate_kbps},
          {"last_frame_age_ms", s.last_frame_age_ms},
          {"width", s.width},
          {"height", s.height},
          {"codec", s.codec}};
}

RtspIngest::RtspIngest(IngestOptions options, std::shared_ptr<LatestFrame> slot, StateListener on_state)
    : options_(std::move(options)), slot_(std::move(slot)), on_state_(std::move(on_state)) {
  static std::once_flag network_once;
  std::call_once(network_once, [] { avformat_network_init(); });
  media::RouteFfmpegLogs();
  state_since_ = Clock::now();
}

RtspIngest::~RtspIngest() { Stop(); }

void RtspIngest::Start() {
  std::lock_guard start_lock(start_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  SetState(IngestState::kConnecting);
  thread_ = std::thread([this] { Run(); });
}

void RtspIngest::Stop() {
  std::lock_guard start_lock(start_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  SetState(IngestState::kStopped);
}

bool RtspIngest::running() const {
  std::lock_guard lock(mu_);
  return stats_.state != IngestState::kStopped;
}

IngestStats RtspIngest::Stats() const {
  std::lock_guard lock(mu_);
  IngestStats s = stats_;
  auto now = Clock::now();
  s.state_for_s = std::chrono::duration<double>(now - state_since_).count();
  if (have_frame_) {
    s.last_frame_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_frame_).count();
  }
  if (s.state != IngestState::kStreaming) s.fps = s.bitrate_kbps = 0;
  return s;
}

void RtspIngest::AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber) {
  std::lock_guard lock(mu_);
  subscribers_.push_back(subscriber);
  ++subscribers_version_;
}

void RtspIngest::RemoveSubscriber(const PacketSubscriber* subscriber) {
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [&](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == subscriber;
  });
  ++subscribers_version_;
}

std::vector<std::shared_ptr<PacketSubscriber>> RtspIngest::Subscribers() {
  std::vector<std::shared_ptr<PacketSubscriber>> out;
  std::lock_guard lock(mu_);
  for (const auto& w : subscribers_) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

void RtspIngest::SetState(IngestState s, const std::string& error) {
  IngestStats snapshot;
  {
    std::lock_guard lock(mu_);
    if (!error.empty()) stats_.last_error = error;
    if (stats_.state == s && error.empty()) return;
    stats_.state = s;
    state_since_ = Clock::now();
  }
  snapshot = Stats();
  if (on_state_) on_state_(snapshot);
}

int RtspIngest::Interrupt(void* opaque) {
  auto* self = static_cast<RtspIngest*>(opaque);
  return self->stop_.load(std::memory_order_relaxed) || NowNs() > self->deadline_ns_.load(std::memory_order_relaxed);
}

void RtspIngest::ArmDeadline(std::chrono::milliseconds from_now) {
  deadline_ns_.store(NowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(from_now).count());
}

bool RtspIngest::WaitBackoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, delay, [&] { return stop_.load(); });
}

void RtspIngest::Run() {
  pthread_setname_np(pthread_self(), ("pw-rtsp-" + options_.camera_id).substr(0, 15).c_str());
  Backoff backoff(options_.backoff_min, options_.backoff_max);
  std::string last_logged;
  while (!stop_) {
    bool delivered = false;
    std::string reason = RunSession(&delivered);
    if (stop_) break;
    if (delivered) backoff.Reset();
    if (reason != last_logged) {  // a camera that stays down is logged once, not every retry
      spdlog::warn("camera {}: {}; reconnecting", options_.camera_id, reason);
      last_logged = reason;
    }
    auto delay = backoff.Next();
    SetState(IngestState::kBackoff, reason);
    if (!WaitBackoff(delay)) break;
    {
      std::lock_guard lock(mu_);
      ++stats_.reconnects;
    }
    SetState(IngestState::kConnecting);
  }
}

std::string RtspIngest::RunSession(bool* delivered) {
  auto deadline_passed = [this] { return NowNs() > deadline_ns_.load(); };
  ArmDeadline(options_.open_timeout);
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return "out of memory";
  raw->interrupt_callback = {&RtspIngest::Interrupt, this};
  media::Dict opts;
  opts.Set("rtsp_transport", options_.transport == Transport::kUdp ? "udp" : "tcp");
  opts.Set("timeout", "5000000");  // socket I/O backstop (µs); the interrupt deadline acts first
  opts.Set("probesize", "32768");
  opts.Set("analyzeduration", "200000");
  int err = avformat_open_input(&raw, options_.url.c_str(), nullptr, opts.ptr());  // frees raw on error
  if (err < 0) {
    if (stop_) return "stopped";
    if (deadline_passed()) {
      return "the camera did not answer within " + Fixed1(Seconds(options_.open_timeout)) + " s";
    }
    return "cannot open the camera stream: " + media::AvErrorText(err) +
           " (check the address, credentials and that the camera is on)";
  }
  media::InputFormatPtr ctx(raw);
  // Runs before ctx is closed: TEARDOWN and close get their own short deadline.
  struct CloseDeadline {
    RtspIngest* self;
    ~CloseDeadline() { self->ArmDeadline(self->options_.close_timeout); }
  } close_deadline{this};

  // avformat_find_stream_info is skipped: H.264/H.265 parameters come from the SDP (or in-band).
  std::vector<StreamInfo> streams;
  int video = -1;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    streams.push_back({static_cast<int>(i), st->codecpar->codec_type, st->time_base, st->codecpar});
    if (video < 0 && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) video = static_cast<int>(i);
  }
  if (video < 0) return "the camera stream has no video track";
  const AVCodecParameters* par = ctx->streams[video]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) return std::string("no decoder for the camera's codec ") + avcodec_get_name(par->codec_id);
  media::CodecContextPtr dec(avcodec_alloc_context3(codec));
  if (!dec) return "out of memory";
  avcodec_parameters_to_context(dec.get(), par);
  dec->pkt_timebase = ctx->streams[video]->time_base;
  dec->thread_count = options_.decoder_threads;
  dec->thread_type = FF_THREAD_SLICE;  // frame threading would add a frame of latency per thread
  // RTSP hands over a picture's slices as separate packets: let the decoder assemble them (else
  // each keyframe is decoded from its first slice and the rest concealed).
  dec->flags2 |= AV_CODEC_FLAG2_CHUNKS;
  if ((err = avcodec_open2(dec.get(), codec, nullptr)) < 0) {
    return "cannot open the video decoder: " + media::AvErrorText(err);
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.connects;
    stats_.codec = avcodec_get_name(par->codec_id);
  }
  if (!marked_open_) {
    core::Timeline::Get().Mark("camera " + options_.camera_id + ": RTSP open");
    marked_open_ = true;
  }
  std::uint64_t seen_version = subscribers_version_.load();
  auto subscribers = Subscribers();
  for (auto& s : subscribers) s->OnOpen(streams);
  struct CloseSubscribers {
    std::vector<std::shared_ptr<PacketSubscriber>>& subs;
    std::string reason;
    ~CloseSubscribers() {
      for (auto& s : subs) s->OnClose(reason);
    }
  } close_subscribers{subscribers, ""};

  const AVRational tb = ctx->streams[video]->time_base;
  const auto opened = Clock::now();
  int64_t first_pts = AV_NOPTS_VALUE;
  bool got_frame = false;
  media::PacketPtr pkt = media::MakePacket();
  media::FramePtr frame = media::MakeFrame();
  if (!pkt || !frame) return "out of memory";
  RateWindow rate;
  std::string reason;
  ArmDeadline(options_.packet_timeout);
  for (;;) {
    err = av_read_frame(ctx.get(), pkt.get());
    if (stop_) return close_subscribers.reason = "stopped";
    const auto now = Clock::now();
    if (err < 0 || deadline_passed()) {
      if (err >= 0 || err == AVERROR_EXIT || deadline_passed()) {
        reason = "no video packet for " + Fixed1(Seconds(options_.packet_timeout)) +
                 " s (camera frozen, video stopped or network down)";
        std::lock_guard lock(mu_);
        ++stats_.stalls;
      } else if (err == AVERROR_EOF) {
        reason = "the camera closed the stream";
      } else {
        reason = "lost the camera stream: " + media::AvErrorText(err);
      }
      break;
    }
    std::uint64_t new_frames = 0;
    const std::uint64_t size = static_cast<std::uint64_t>(pkt->size);
    if (subscribers_version_.load() != seen_version) {  // joined or left mid-connection
      seen_version = subscribers_version_.load();
      auto now_subscribed = Subscribers();
      for (auto& s : now_subscribed) {
        if (std::find(subscribers.begin(), subscribers.end(), s) == subscribers.end()) s->OnOpen(streams);
      }
      subscribers = std::move(now_subscribed);
    }
    if (pkt->stream_index >= 0 && pkt->stream_index < static_cast<int>(streams.size())) {
      for (auto& s : subscribers) s->OnPacket(streams[pkt->stream_index], *pkt);
    }
    if (pkt->stream_index == video) {
      ArmDeadline(options_.packet_timeout);
      int sent = avcodec_send_packet(dec.get(), pkt.get());
      (void)sent;  // a damaged packet is skipped; the decoder recovers at the next keyframe
      while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
        auto lf = std::make_shared<LiveFrame>();
        lf->frame = media::MakeFrame();
        if (!lf->frame) break;
        av_frame_move_ref(lf->frame.get(), frame.get());
        lf->pts = media::FramePts(*lf->frame);
        if (first_pts == AV_NOPTS_VALUE && lf->pts != AV_NOPTS_VALUE) first_pts = lf->pts;
        lf->media_t = lf->pts == AV_NOPTS_VALUE ? 0 : static_cast<double>(lf->pts - first_pts) * av_q2d(tb);
        lf->wall = std::chrono::system_clock::now();
        lf->steady = Clock::now();
        const int w = lf->frame->width, h = lf->frame->height;
        slot_->Publish(std::move(lf));
        ++new_frames;
        {
          std::lock_guard lock(mu_);
          ++stats_.frames;
          stats_.width = w;
          stats_.height = h;
          last_frame_ = Clock::now();
          have_frame_ = true;
        }
        if (!got_frame) {
          got_frame = *delivered = true;
          rate.Restart(now);
          SetState(IngestState::kStreaming);
          if (!marked_frame_) {
            core::Timeline::Get().Mark("camera " + options_.camera_id + ": first frame");
            marked_frame_ = true;
          }
        }
      }
    }
    av_packet_unref(pkt.get());
    rate.Add(new_frames, size);
    {
      std::lock_guard lock(mu_);
      ++stats_.packets;
      stats_.bytes += size;
      rate.Roll(now, &stats_.fps, &stats_.bitrate_kbps);
    }
    if (!got_frame && now - opened > options_.first_frame_timeout) {
      reason = "connected, but no picture could be decoded within " +
               Fixed1(Seconds(options_.first_frame_timeout)) + " s";
      break;
    }
  }
  if (got_frame) SetState(IngestState::kStalled, reason);
  close_subscribers.reason = reason;
  return reason;
}

}  // namespace pw::live
