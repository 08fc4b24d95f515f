#include "server/ws_queue.h"

namespace pw::server {

WsSendQueue::Push WsSendQueue::Enqueue(std::string message, const std::string& coalesce_key) {
  std::lock_guard lock(mu_);
  if (!coalesce_key.empty()) {
    auto it = by_key_.find(coalesce_key);
    if (it != by_key_.end()) {
      Entry& e = *it->second;
      if (bytes_ - e.message.size() + message.size() > max_bytes_) return Push::kOverflow;
      bytes_ = bytes_ - e.message.size() + message.size();
      e.message = std::move(message);
      return Push::kCoalesced;
    }
  }
  if (queue_.size() >= max_messages_ || bytes_ + message.size() > max_bytes_) return Push::kOverflow;
  auto entry = std::make_shared<Entry>(Entry{std::move(message), coalesce_key});
  bytes_ += entry->message.size();
  if (!coalesce_key.empty()) by_key_[coalesce_key] = entry;
  queue_.push_back(std::move(entry));
  return Push::kQueued;
}

std::optional<std::string> WsSendQueue::Pop() {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return std::nullopt;
  auto entry = std::move(queue_.front());
  queue_.pop_front();
  if (!entry->key.empty()) by_key_.erase(entry->key);
  bytes_ -= entry->message.size();
  return std::move(entry->message);
}

std::size_t WsSendQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t WsSendQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace pw::server
