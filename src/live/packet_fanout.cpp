#include "live/packet_fanout.h"

#include <algorithm>

namespace pw::live {

void PacketFanout::Add(std::shared_ptr<PacketSubscriber> subscriber) {
  std::lock_guard lock(mu_);
  entries_.push_back({std::move(subscriber), false, false});
}

bool PacketFanout::Remove(const PacketSubscriber* subscriber) {
  std::lock_guard lock(mu_);
  return std::erase_if(entries_, [&](const Entry& e) { return e.subscriber.get() == subscriber; }) > 0;
}

std::size_t PacketFanout::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

bool PacketFanout::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::vector<std::shared_ptr<PacketSubscriber>> PacketFanout::Snapshot(
    std::vector<std::shared_ptr<PacketSubscriber>>* open, bool keyframe) {
  std::vector<std::shared_ptr<PacketSubscriber>> all;
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (!e.opened && open_) {
      e.opened = true;
      e.keyed = false;
      open->push_back(e.subscriber);
    }
    if (e.opened && keyframe) e.keyed = true;
    if (e.opened && e.keyed) all.push_back(e.subscriber);
  }
  return all;
}

void PacketFanout::Open(std::vector<StreamInfo> streams) {
  {
    std::lock_guard lock(mu_);
    streams_ = std::move(streams);
    open_ = true;
    for (auto& e : entries_) e.opened = e.keyed = false;
  }
  std::vector<std::shared_ptr<PacketSubscriber>> open;
  Snapshot(&open);
  for (const auto& s : open) s->OnOpen(streams_);  // streams_ changes only on this thread
}

void PacketFanout::Packet(const StreamInfo& stream, const AVPacket& packet) {
  // A subscriber's packets start at a video keyframe: one that joins mid-GOP (or mid-connection)
  // waits for the next one (the transcoder forces it) instead of receiving undecodable frames.
  const bool keyframe = stream.type == AVMEDIA_TYPE_VIDEO && (packet.flags & AV_PKT_FLAG_KEY) != 0;
  std::vector<std::shared_ptr<PacketSubscriber>> open;
  auto all = Snapshot(&open, keyframe);
  for (const auto& s : open) s->OnOpen(streams_);
  for (const auto& s : all) s->OnPacket(stream, packet);
}

void PacketFanout::Close(const std::string& reason) {
  std::vector<std::shared_ptr<PacketSubscriber>> opened;
  {
    std::lock_guard lock(mu_);
    if (!open_) return;
    open_ = false;
    for (auto& e : entries_) {
      if (e.opened) opened.push_back(e.subscriber);
      e.opened = false;
    }
  }
  for (const auto& s : opened) s->OnClose(reason);
  std::lock_guard lock(mu_);
  streams_.clear();
}

}  // namespace pw::live
