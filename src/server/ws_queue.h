// WsSendQueue: the outgoing queue of one WebSocket client, with the overflow policy that keeps a
// slow or dead client from slowing the others or growing memory.
//
//  - State messages carry a coalescing key ("camera:cam1:count"): a newer one replaces the
//    queued, not-yet-sent one with the same key, in place. A client that reads slowly simply
//    sees fewer intermediate states.
//  - Event messages (no key) are queued in order.
//  - Bound: at most `max_messages` queued and `max_bytes` in total. Pushing beyond it returns
//    kOverflow: the owner drops the client (it cannot keep up; it reconnects and resyncs).
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace pw::server {

class WsSendQueue {
 public:
  enum class Push { kQueued, kCoalesced, kOverflow };

  WsSendQueue(std::size_t max_messages, std::size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  Push Enqueue(std::string message, const std::string& coalesce_key = {});
  std::optional<std::string> Pop();
  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    std::string message;
    std::string key;
  };
  mutable std::mutex mu_;
  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::deque<std::shared_ptr<Entry>> queue_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> by_key_;  // queued state messages
};

}  // namespace pw::server
