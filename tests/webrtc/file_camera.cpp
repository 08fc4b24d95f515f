#include "webrtc/file_camera.h"

#include <gtest/gtest.h>

#include <chrono>

#include "media/demuxer.h"
#include "support/test_support.h"

namespace pw::test {

FileCamera::FileCamera(std::filesystem::path file, std::string id, bool reconnect_each_loop)
    : file_(std::move(file)), id_(std::move(id)), reconnect_(reconnect_each_loop), thread_([this] { Run(); }) {}

FileCamera::~FileCamera() {
  stop_ = true;
  thread_.join();
}

core::Status FileCamera::Subscribe(const std::string& camera_id, std::shared_ptr<live::PacketSubscriber> s) {
  if (camera_id != id_) return core::Status::NotFound("no camera " + camera_id);
  std::lock_guard lock(mu_);
  subs_.push_back({std::move(s), false});
  return core::Status::Ok();
}

void FileCamera::Unsubscribe(const std::string&, const live::PacketSubscriber* s) {
  std::lock_guard lock(mu_);
  std::erase_if(subs_, [&](const Sub& x) { return x.subscriber.get() == s; });
}

std::size_t FileCamera::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

void FileCamera::Run() {
  auto demuxer = media::Demuxer::Open(file_);
  if (!demuxer.ok()) {
    ADD_FAILURE() << demuxer.status().ToString();
    return;
  }
  auto& dm = **demuxer;
  AVStream* vs = dm.video_stream();
  const live::StreamInfo info{vs->index, AVMEDIA_TYPE_VIDEO, vs->time_base, vs->codecpar};
  auto start = std::chrono::steady_clock::now();
  int64_t offset = 0, last_pts = 0;
  const int64_t frame = av_rescale_q(1, AVRational{1, 25}, vs->time_base);
  auto pkt = media::MakePacket();
  while (!stop_) {
    auto more = dm.Read(pkt.get());
    if (!more.ok() || !*more) {  // loop the file
      av_seek_frame(dm.ctx(), vs->index, 0, AVSEEK_FLAG_BACKWARD);
      if (!reconnect_) {
        offset = last_pts + frame;  // continuous timestamps
        continue;
      }
      std::lock_guard lock(mu_);
      for (auto& s : subs_) {
        s.subscriber->OnClose("end of file (a test reconnect)");
        s.opened = false;
      }
      ++connections_;
      start = std::chrono::steady_clock::now();
      last_pts = 0;
      continue;
    }
    if (pkt->stream_index != vs->index) continue;
    pkt->pts += offset;
    pkt->dts += offset;
    last_pts = std::max(last_pts, pkt->pts);
    const auto due = start + std::chrono::microseconds(av_rescale_q(pkt->dts, vs->time_base, AVRational{1, 1000000}));
    while (!stop_ && std::chrono::steady_clock::now() < due) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::vector<std::shared_ptr<live::PacketSubscriber>> ready;
    {
      std::lock_guard lock(mu_);
      for (auto& s : subs_) {
        if (!s.opened) {
          s.subscriber->OnOpen({info});
          s.opened = true;
        }
        ready.push_back(s.subscriber);
      }
    }
    for (const auto& s : ready) s->OnPacket(info, *pkt);
    ++packets_;
  }
}

std::filesystem::path MakeH264File(const std::filesystem::path& dir, int seconds, int bframes) {
  const auto path = dir / (bframes > 0 ? "bframes.mp4" : "camera.mp4");
  auto r = RunCommand({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                       "testsrc=size=320x240:rate=25:duration=" + std::to_string(seconds), "-c:v", "libx264",
                       "-profile:v", bframes > 0 ? "main" : "baseline", "-bf", std::to_string(bframes), "-g", "50",
                       "-pix_fmt", "yuv420p", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

}  // namespace pw::test
