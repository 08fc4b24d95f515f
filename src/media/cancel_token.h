// CancelToken: a shared flag a long media call (decode, remux, index scan) polls so that a
// superseded or abandoned request stops early with Code::kCancelled.
//
// Copies share one flag. Cancel() may be called from any thread; checks are lock-free.
// Superseder hands out one token per client key and cancels the previous one for that key, so a
// newer request from the same client (scrubbing) cancels the older one instead of queueing behind
// it. Superseder is thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace pw::media {

class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void Cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// True when `token` is set and cancelled (a null token never cancels).
inline bool IsCancelled(const CancelToken* token) { return token && token->cancelled(); }

class Superseder {
 public:
  // Cancels the token previously issued for `key` (if any) and returns a fresh one.
  CancelToken Begin(const std::string& key) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = latest_.try_emplace(key);
    if (!inserted) it->second.Cancel();
    it->second = CancelToken();
    return it->second;
  }
  // Forgets `key` when its client goes away (bounds the map to active clients).
  void Forget(const std::string& key) {
    std::lock_guard lock(mu_);
    latest_.erase(key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, CancelToken> latest_;
};

}  // namespace pw::media
