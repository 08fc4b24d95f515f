#include "server/ws_hub.h"

#include <vector>

namespace pw::server {

std::uint64_t WsHub::Register(std::weak_ptr<WsClient> client) {
  std::lock_guard lock(mu_);
  std::uint64_t id = next_id_++;
  clients_[id] = std::move(client);
  metrics_.ws_clients = static_cast<std::int64_t>(clients_.size());
  return id;
}

void WsHub::Unregister(std::uint64_t id) {
  std::lock_guard lock(mu_);
  clients_.erase(id);
  metrics_.ws_clients = static_cast<std::int64_t>(clients_.size());
}

std::size_t WsHub::clients() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

void WsHub::Publish(std::string_view topic, const std::string& message, const std::string& coalesce_key) {
  std::vector<std::shared_ptr<WsClient>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, weak] : clients_) {
      if (auto c = weak.lock(); c && c->Subscribed(topic)) targets.push_back(std::move(c));
    }
  }
  // Delivered outside the lock: a client's Deliver never blocks, but may drop itself.
  for (const auto& c : targets) c->Deliver(message, coalesce_key);
}

void WsHub::CloseAll() {
  std::vector<std::shared_ptr<WsClient>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, weak] : clients_) {
      if (auto c = weak.lock()) all.push_back(std::move(c));
    }
  }
  for (const auto& c : all) c->GoAway();
}

}  // namespace pw::server
