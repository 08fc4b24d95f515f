// LruCache: a byte-bounded least-recently-used cache of shared immutable values (HLS segments).
// Values larger than the whole budget are not kept. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pw::library {

template <typename V>
class LruCache {
 public:
  using SizeOf = std::size_t (*)(const V&);
  LruCache(std::size_t max_bytes, SizeOf size_of) : max_bytes_(max_bytes), size_of_(size_of) {}

  std::shared_ptr<const V> Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
  }

  void Put(const std::string& key, std::shared_ptr<const V> value) {
    std::size_t size = size_of_(*value);
    std::lock_guard lock(mu_);
    if (size > max_bytes_ || index_.count(key)) return;
    entries_.emplace_front(key, std::move(value));
    index_[key] = entries_.begin();
    bytes_ += size;
    while (bytes_ > max_bytes_) {
      bytes_ -= size_of_(*entries_.back().second);
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
  }

  // Drops every key starting with `prefix` (a deleted video).
  void EraseWithPrefix(const std::string& prefix) {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->first.rfind(prefix, 0) == 0) {
        bytes_ -= size_of_(*it->second);
        index_.erase(it->first);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }

 private:
  mutable std::mutex mu_;
  std::size_t max_bytes_;
  SizeOf size_of_;
  std::size_t bytes_ = 0;
  std::list<std::pair<std::string, std::shared_ptr<const V>>> entries_;
  std::unordered_map<std::string, typename decltype(entries_)::iterator> index_;
};

}  // namespace pw::library
