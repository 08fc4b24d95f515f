// PacketFanout: the subscriber list of a packet producer (a camera's transcoder, the browser video
// of a camera) with the contract of packet_subscriber.h: every subscriber gets OnOpen(streams)
// before its first packet — also one that joins mid-connection —, then OnPacket from its first
// video keyframe on (earlier packets could not be decoded), then OnClose when
// the connection ends (only if it was opened).
//
// Ownership: subscribers are held by strong reference until removed. After Remove returns, at most
// the call already under way may still arrive.
// Thread-safety: Add/Remove/size from any thread. Open/Packet/Close are the producer's calls: one
// thread at a time (the producer's); subscribers are called outside the internal lock. The streams
// passed to Open (and their codecpar) must stay valid until Close.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "live/packet_subscriber.h"

namespace pw::live {

class PacketFanout {
 public:
  void Add(std::shared_ptr<PacketSubscriber> subscriber);
  // False when `subscriber` was not there.
  bool Remove(const PacketSubscriber* subscriber);
  std::size_t size() const;
  bool is_open() const;

  void Open(std::vector<StreamInfo> streams);
  void Packet(const StreamInfo& stream, const AVPacket& packet);
  void Close(const std::string& reason);

 private:
  struct Entry {
    std::shared_ptr<PacketSubscriber> subscriber;
    bool opened = false;
    bool keyed = false;  // has had its first video keyframe in this connection
  };
  // Subscribers to call now; those not yet opened in this connection are marked and listed in `open`.
  // Packets go only to subscribers that have had a video keyframe: `keyframe` says this one is.
  std::vector<std::shared_ptr<PacketSubscriber>> Snapshot(std::vector<std::shared_ptr<PacketSubscriber>>* open,
                                                          bool keyframe = false);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::vector<StreamInfo> streams_;  // of the open connection
  bool open_ = false;
};

}  // namespace pw::live
