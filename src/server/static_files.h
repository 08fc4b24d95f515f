// StaticFiles: serves the web UI from a directory with the caching rules browsers expect:
// ETag + Last-Modified with conditional GET (304), Cache-Control (immutable for content-hashed
// assets like app.3f9a1c2e.js, no-cache for HTML, short otherwise), single Range requests
// (206/416), gzip for text types (compressed once, kept in a bounded LRU), HEAD.
//
// Paths never leave the root: '..' segments, NUL bytes and symlinks pointing outside are 404.
// Thread-safe.
#pragma once

#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/unique_fd.h"
#include "server/http.h"

namespace pw::server {

std::string MimeType(const std::filesystem::path& path);
bool IsCompressible(std::string_view mime);
std::string CacheControlFor(const std::filesystem::path& path);

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root, std::size_t gzip_cache_bytes = 16 << 20);
  // Answers a GET/HEAD for `req.path`.
  Response Serve(const Request& req);
  const std::filesystem::path& root() const { return root_; }

 private:
  // The gzip variant of a file, compressed on first use; null when it could not be read.
  std::shared_ptr<const std::string> Compressed(const std::filesystem::path& file, int fd,
                                                const std::string& etag, std::uint64_t size);
  // Opens `relative` for reading if it resolves inside the root; invalid fd otherwise.
  core::UniqueFd OpenBeneathRoot(const std::filesystem::path& relative) const;

  std::filesystem::path root_;
  core::UniqueFd root_fd_;
  std::size_t cache_limit_;
  std::mutex mu_;
  // LRU of compressed bodies keyed by path + etag; front = most recent.
  std::list<std::pair<std::string, std::shared_ptr<const std::string>>> lru_;
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
  std::size_t cache_bytes_ = 0;
};

}  // namespace pw::server
