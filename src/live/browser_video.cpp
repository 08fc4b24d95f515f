#include "live/browser_video.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace pw::live {

std::string_view VideoPathName(VideoPath path) {
  switch (path) {
    case VideoPath::kIdle: return "idle";
    case VideoPath::kProbing: return "probing";
    case VideoPath::kForward: return "forward";
    case VideoPath::kTranscode: return "transcode";
    case VideoPath::kUnsupported: return "unsupported";
  }
  return "unknown";
}

bool ReorderDetector::Add(const AVPacket& p) {
  if (p.pts != AV_NOPTS_VALUE) {
    if (p.dts != AV_NOPTS_VALUE && p.pts != p.dts) seen_ = true;
    if (max_pts_ != AV_NOPTS_VALUE && p.pts < max_pts_) seen_ = true;
    max_pts_ = max_pts_ == AV_NOPTS_VALUE ? p.pts : std::max(max_pts_, p.pts);
  }
  return seen_;
}

BrowserVideo::BrowserVideo(std::string camera_id, TranscodeOptions transcode)
    : camera_id_(std::move(camera_id)), transcode_options_([&] {
        transcode.camera_id = camera_id_;
        return transcode;
      }()) {}

BrowserVideo::~BrowserVideo() { Stop(); }

void BrowserVideo::Stop() {
  std::shared_ptr<Transcoder> transcoder;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    transcoder = transcoder_;
    direct_.Close("the camera's browser video stopped");
    probe_.clear();
  }
  if (transcoder) transcoder->Stop();
}

void BrowserVideo::AddSubscriber(std::shared_ptr<PacketSubscriber> subscriber) {
  std::lock_guard lock(mu_);
  if (transcoder_) {
    transcoder_->AddSubscriber(subscriber);
  } else {
    direct_.Add(subscriber);
  }
  subscribers_.push_back(std::move(subscriber));
}

bool BrowserVideo::RemoveSubscriber(const PacketSubscriber* subscriber) {
  std::lock_guard lock(mu_);
  if (transcoder_) transcoder_->RemoveSubscriber(subscriber);
  direct_.Remove(subscriber);
  return std::erase_if(subscribers_, [&](const auto& s) { return s.get() == subscriber; }) > 0;
}

std::size_t BrowserVideo::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

VideoPath BrowserVideo::path() const {
  std::lock_guard lock(mu_);
  return path_;
}

std::string BrowserVideo::unsupported_reason() const {
  std::lock_guard lock(mu_);
  return path_ == VideoPath::kUnsupported ? reason_ : std::string();
}

std::shared_ptr<Transcoder> BrowserVideo::transcoder() const {
  std::lock_guard lock(mu_);
  return transcoder_;
}

nlohmann::json BrowserVideo::ToJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json j = {{"video_path", VideoPathName(path_)},
                      {"subscribers", subscribers_.size()},
                      {"reason", path_ == VideoPath::kUnsupported ? reason_ : std::string()}};
  j["transcode"] = transcoder_ ? live::ToJson(transcoder_->Stats()) : nlohmann::json(nullptr);
  return j;
}

std::shared_ptr<Transcoder> BrowserVideo::DropTranscoder() {
  if (!transcoder_) return nullptr;
  for (const auto& s : subscribers_) {
    transcoder_->RemoveSubscriber(s.get());
    direct_.Add(s);
  }
  return std::move(transcoder_);
}

void BrowserVideo::Forward() {
  for (const auto& p : probe_) direct_.Packet(video_, *p);
  probe_.clear();
  path_ = VideoPath::kForward;
  spdlog::info("camera {}: browser video forwarded as-is (H.264 without B-frames)", camera_id_);
}

void BrowserVideo::Transcode(const std::string& why) {
  if (auto st = Transcoder::Available(); !st.ok()) return Unsupported(st.message(), {video_});
  if (!transcoder_) {
    transcoder_ = std::make_shared<Transcoder>(transcode_options_);
    for (const auto& s : subscribers_) {
      direct_.Remove(s.get());
      transcoder_->AddSubscriber(s);
    }
  }
  transcoder_->OnOpen({video_});
  if (path_ != VideoPath::kTranscode) spdlog::info("camera {}: browser video re-encoded: {}", camera_id_, why);
  path_ = VideoPath::kTranscode;
}

void BrowserVideo::Unsupported(std::string reason, const std::vector<StreamInfo>& streams) {
  if (auto t = DropTranscoder()) t->Stop();
  if (path_ != VideoPath::kUnsupported || reason_ != reason) {
    spdlog::warn("camera {}: no browser video: {}", camera_id_, reason);
  }
  path_ = VideoPath::kUnsupported;
  reason_ = std::move(reason);
  direct_.Close("unsupported");
  direct_.Open(streams);  // subscribers see the camera's own streams and can say why
}

void BrowserVideo::OnOpen(const std::vector<StreamInfo>& streams) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  probe_.clear();
  reorder_.Reset();
  auto video = std::find_if(streams.begin(), streams.end(),
                            [](const StreamInfo& s) { return s.type == AVMEDIA_TYPE_VIDEO && s.codecpar; });
  has_video_ = video != streams.end();
  if (!has_video_) return Unsupported("the camera stream has no video", streams);
  video_ = *video;
  const AVCodecID codec = video_.codecpar->codec_id;
  if (codec != codec_) bframes_seen_ = false;
  codec_ = codec;
  const std::string name = avcodec_get_name(codec);
  if (codec == AV_CODEC_ID_H264 && (video_.codecpar->video_delay > 0 || bframes_seen_)) {
    bframes_seen_ = true;
    return Transcode("the camera's H.264 has B-frames");
  }
  if (codec == AV_CODEC_ID_H264) {
    if (auto t = DropTranscoder()) t->Stop();
    path_ = VideoPath::kProbing;
    direct_.Open({video_});  // early, so that viewers negotiate while the verdict is made
    return;
  }
  if (!avcodec_find_decoder(codec)) return Unsupported("no decoder for the camera's codec " + name, streams);
  Transcode("the camera sends " + name + ", which browsers do not play over WebRTC");
}

void BrowserVideo::OnPacket(const StreamInfo& stream, const AVPacket& packet) {
  std::lock_guard lock(mu_);
  if (stopped_ || !has_video_ || stream.index != video_.index) return;
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  switch (path_) {
    case VideoPath::kProbing: {
      if (probe_.empty() && !key) return;  // the verdict starts at a keyframe
      if (reorder_.Add(packet)) {
        bframes_seen_ = true;
        direct_.Close("the camera's H.264 has B-frames; re-encoding");
        Transcode("the camera's H.264 has B-frames (frames arrive out of order)");
        if (!transcoder_) return;
        for (const auto& p : probe_) transcoder_->OnPacket(video_, *p);
        probe_.clear();
        transcoder_->OnPacket(video_, packet);
        return;
      }
      media::PacketPtr copy(av_packet_clone(&packet));
      if (copy) probe_.push_back(std::move(copy));
      if (probe_.size() >= kProbePackets) Forward();
      return;
    }
    case VideoPath::kForward:
      if (reorder_.Add(packet)) {
        bframes_seen_ = true;
        direct_.Close("the camera's H.264 started using B-frames; switching to re-encoding");
        Transcode("the camera's H.264 started using B-frames");
        if (transcoder_) transcoder_->OnPacket(video_, packet);  // it waits for the next keyframe
        return;
      }
      direct_.Packet(video_, packet);
      return;
    case VideoPath::kTranscode:
      transcoder_->OnPacket(stream, packet);
      return;
    case VideoPath::kIdle:
    case VideoPath::kUnsupported:
      return;
  }
}

void BrowserVideo::OnClose(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  direct_.Close(reason);
  if (transcoder_) transcoder_->OnClose(reason);
  probe_.clear();
  has_video_ = false;
  if (path_ == VideoPath::kProbing) path_ = VideoPath::kIdle;
}

}  // namespace pw::live
