// WsHub: the WebSocket side of the server. Clients connect to /ws, subscribe to topics
// ({"op":"subscribe","topics":["server","video:<id>"]}, "*" for all) and receive JSON messages
// published by any module through Publish(). Each client has a bounded WsSendQueue; a client that
// cannot keep up is dropped (pigweight_ws_dropped_total), never slowing the others.
// Thread-safe: Publish() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/metrics.h"

namespace pw::server {

// What the hub needs from a connected client (implemented by the WebSocket session).
class WsClient {
 public:
  virtual ~WsClient() = default;
  virtual bool Subscribed(std::string_view topic) const = 0;
  virtual void Deliver(const std::string& message, const std::string& coalesce_key) = 0;
  virtual void GoAway() = 0;  // close with 1001 (server shutting down)
};

class WsHub {
 public:
  struct Limits {
    std::size_t max_messages = 256;
    std::size_t max_bytes = 8 << 20;
  };
  WsHub(Metrics& metrics, Limits limits) : metrics_(metrics), limits_(limits) {}

  // Sends `message` (a JSON text) to every client subscribed to `topic`. A non-empty coalesce
  // key marks a state message: a newer one replaces a queued older one with the same key.
  void Publish(std::string_view topic, const std::string& message, const std::string& coalesce_key = {});
  void CloseAll();
  std::size_t clients() const;

  // Session registration (used by the WebSocket session).
  std::uint64_t Register(std::weak_ptr<WsClient> client);
  void Unregister(std::uint64_t id);
  Metrics& metrics() { return metrics_; }
  const Limits& limits() const { return limits_; }

 private:
  Metrics& metrics_;
  Limits limits_;
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<WsClient>> clients_;
};

}  // namespace pw::server
